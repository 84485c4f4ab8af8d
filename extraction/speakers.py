"""Who a mention names: a speaker of our own table, matched by name, alias, role or title.

A `Directory` holds the speakers as plain values (loaded once per extraction from the
database, or given by a test), and `match()` reads a mention ("Kremlin spokesman Dmitry
Peskov", "the Secretary General", "the French leader", "macron") against them. Pronouns and
metonyms ("Moscow", "they") are resolved by the extractor, which knows who was named before.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from extraction.lexicon import COUNTRY_OF, MENTION_STOPWORDS, OFFICE_SYNONYMS


def fold(text: str) -> str:
    """Lower case, accents and typographic apostrophes folded, hyphens and dots spaced out."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.replace("’", "'").lower()
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[-–—/]", " ", text)
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s.']", " ", text)).strip()


def words(text: str) -> list[str]:
    return [word.strip(".'") for word in fold(text).split() if word.strip(".'")]


@dataclass(frozen=True)
class KnownSpeaker:
    """A speaker of the table, as the matcher reads it."""

    id: int | None
    slug: str
    name: str
    kind: str  # person or institution
    role: str = ""
    aliases: tuple[str, ...] = ()
    organization: str = ""  # its name, with its aliases after a "|"
    country: str = ""

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]

    @property
    def last_name(self) -> str:
        parts = words(self.name)
        return parts[-1] if self.kind == "person" and len(parts) > 1 else ""

    @property
    def countries(self) -> set[str]:
        found = {self.country} if self.country else set()
        for text in (self.role, self.organization, self.name, *self.aliases):
            for word in words(text):
                if word in COUNTRY_OF:
                    found.add(COUNTRY_OF[word])
        return found


@dataclass(frozen=True)
class Match:
    """A mention read as a speaker: which (or None), how, and how surely (0 to 1)."""

    speaker: KnownSpeaker | None
    how: str
    score: float
    name: str = ""  # a proposed new speaker's name and role, when no known one is meant
    role: str = ""


@dataclass
class Directory:
    """The speakers a text's mentions are matched against."""

    speakers: list[KnownSpeaker] = field(default_factory=list)

    @classmethod
    def from_database(cls):
        from quotes.models import Speaker

        known = []
        for speaker in Speaker.objects.select_related("organization").order_by("pk"):
            organization = speaker.organization
            org_names = "|".join([organization.name, *organization.aliases]) if organization else ""
            known.append(
                KnownSpeaker(
                    id=speaker.pk,
                    slug=speaker.slug,
                    name=speaker.name,
                    kind=speaker.kind,
                    role=speaker.role,
                    aliases=tuple(speaker.aliases),
                    organization=org_names,
                    country=speaker.country or (organization.country if organization else ""),
                )
            )
        return cls(known)

    def by_name(self, mention: str) -> KnownSpeaker | None:
        """The speaker a mention names outright: a full name or alias inside it, or (for a
        person) a last name that no other speaker shares."""
        folded = f" {' '.join(words(mention))} "
        found = [
            speaker
            for speaker in self.speakers
            if any(f" {' '.join(words(name))} " in folded for name in speaker.names if name)
        ]
        head = folded.split()[-1] if folded.split() else ""
        if found and all(s.kind == "institution" for s in found) and self.is_an_office(head):
            return None  # "the NATO chief" is a person of NATO, found by role
        if found:
            # A person before an institution ("Russian Foreign Ministry spokeswoman Maria
            # Zakharova" is Zakharova), then the longest name found.
            people = [speaker for speaker in found if speaker.kind == "person"]

            def length(speaker):
                return max(
                    len(name)
                    for name in speaker.names
                    if name and f" {' '.join(words(name))} " in folded
                )

            return max(people or found, key=length)
        last_names = {}
        for speaker in self.speakers:
            if speaker.last_name:
                last_names.setdefault(speaker.last_name, []).append(speaker)
        for word in folded.split():
            if len(last_names.get(word, [])) == 1:
                return last_names[word][0]
        return None

    def is_an_office(self, word: str) -> bool:
        """Whether a word names an office a person holds: "chief", "spokesman", "minister"."""
        if word in OFFICE_SYNONYMS:
            return True
        return any(word in words(s.role) for s in self.speakers if s.kind == "person")

    def by_role(
        self, mention: str, salient: list[KnownSpeaker]
    ) -> tuple[KnownSpeaker, float] | None:
        """The speaker whose role (and organisation, and country) a title names: "the
        Secretary General", "the NATO chief", "the head of France", "the Russian ministry".
        Ties go to the speaker named most recently in the text (`salient`, latest first)."""
        mention_words = [w for w in words(mention) if w not in MENTION_STOPWORDS]
        if not mention_words:
            return None
        best, best_score = [], 0.0
        for speaker in self.speakers:
            described = set(words(speaker.role)) | set(
                words(speaker.organization.replace("|", " "))
            )
            described |= set(words(speaker.name)) if speaker.kind == "institution" else set()
            described |= {w for a in speaker.aliases for w in words(a)}
            countries = speaker.countries
            covered = 0
            office = False
            for word in mention_words:
                if word in described:
                    covered += 1
                    office = office or word not in COUNTRY_OF
                elif word in COUNTRY_OF and COUNTRY_OF[word] in countries:
                    covered += 1
                elif word in OFFICE_SYNONYMS and OFFICE_SYNONYMS[word] & described:
                    covered += 1
                    office = True
            if not office or covered < len(mention_words):
                continue
            score = covered / len(mention_words)
            if score > best_score:
                best, best_score = [speaker], score
            elif score == best_score:
                best.append(speaker)
        if not best:
            return None
        if len(best) > 1:
            ranked = [s for s in salient if s in best]
            if not ranked:
                return None  # several fit and the text has named none of them
            return ranked[0], 0.6
        return best[0], 0.8

    def of_country(self, code: str, salient: list[KnownSpeaker]) -> KnownSpeaker | None:
        """Who speaks for a country that a metonym names ("Moscow", "Russia"): the speaker of
        that country the text named most recently, an institution before a person."""
        for kinds in (("institution",), ("person",)):
            for speaker in salient:
                if speaker.kind in kinds and code in speaker.countries:
                    return speaker
        return None


def country_named(mention: str) -> str | None:
    """The country a mention is a metonym for ("Moscow", "Washington", "Russia"), if it is
    only that."""
    folded = " ".join(w for w in words(mention) if w not in MENTION_STOPWORDS)
    return COUNTRY_OF.get(folded)
