"""Words the extractor knows: reporting verbs, pronouns, titles, countries, news agencies.

Kept apart from the rules that use them, so that they can grow with the articles read.
"""

# Verbs (lemmas) that report speech, or characterise what someone said: the cue of a quotation.
REPORTING_VERBS = frozenset(
    [
        "say",
        "tell",
        "add",
        "state",
        "note",
        "warn",
        "explain",
        "insist",
        "claim",
        "argue",
        "assert",
        "declare",
        "announce",
        "stress",
        "emphasize",
        "emphasise",
        "conclude",
        "continue",
        "reiterate",
        "acknowledge",
        "admit",
        "accuse",
        "condemn",
        "call",
        "describe",
        "urge",
        "suggest",
        "reply",
        "respond",
        "remark",
        "write",
        "quip",
        "promise",
        "pledge",
        "vow",
        "threaten",
        "deny",
        "confirm",
        "observe",
        "point",
        "mention",
        "comment",
        "recall",
        "complain",
        "praise",
        "criticize",
        "criticise",
        "blame",
        "predict",
        "propose",
        "demand",
        "ask",
        "answer",
        "charge",
        "maintain",
        "caution",
        "contend",
        "concede",
        "allege",
        "label",
        "brand",
        "dub",
        "term",
        "characterize",
        "characterise",
        "dismiss",
        "reject",
        "welcome",
        "hail",
        "lament",
        "decry",
        "slam",
        "pressure",
        "push",
        "tweet",
        "post",
        "report",
        "reveal",
        "disclose",
        "signal",
        "hint",
        "announce",
        "proclaim",
        "affirm",
        "reaffirm",
        "boast",
        "joke",
        "admit",
        "estimate",
        "forecast",
        "vow",
        "swear",
        "testify",
        "inform",
        "advise",
    ]
)
# Verbs of view that quote a characterisation: "they see them as '…'".
VIEW_VERBS = frozenset(
    ["see", "view", "regard", "consider", "perceive", "deem", "find", "believe", "think"]
)

PERSON_PRONOUNS = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}
GROUP_PRONOUNS = frozenset({"they", "them", "their", "it", "its"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})

# Head nouns that name an office: "the NATO chief", "the head of France", "the French leader".
TOP_OFFICE = frozenset(
    ["chief", "head", "leader", "boss", "president", "chairman", "chairwoman", "chair", "premier"]
)
OFFICE_SYNONYMS = {
    "chief": TOP_OFFICE | {"secretary", "general", "prime", "minister", "chancellor"},
    "head": TOP_OFFICE | {"secretary", "general", "prime", "minister", "chancellor"},
    "leader": TOP_OFFICE | {"secretary", "general", "prime", "minister", "chancellor"},
    "boss": TOP_OFFICE | {"secretary", "general"},
    "spokesman": {"spokesman", "spokeswoman", "spokesperson", "press", "secretary"},
    "spokeswoman": {"spokesman", "spokeswoman", "spokesperson", "press", "secretary"},
    "spokesperson": {"spokesman", "spokeswoman", "spokesperson", "press", "secretary"},
}
# Words of a title, never a given name: "Defense Secretary James Mattis", "President Duda".
TITLE_WORDS = frozenset(
    """
    president vice prime minister secretary general chancellor spokesman spokeswoman
    spokesperson ambassador envoy senator representative congressman congresswoman governor
    mayor king queen prince pope chairman chairwoman chair deputy foreign defence defense
    interior state mr mrs ms dr sir gen lt col adm admiral colonel general commander marshal
    lord lady premier leader chief head press
    """.split()
)
# Words of a mention that say nothing of who is meant.
MENTION_STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "for",
        "to",
        "in",
        "at",
        "on",
        "by",
        "and",
        "its",
        "his",
        "her",
        "their",
        "this",
        "that",
        "these",
        "those",
        "then",
        "now",
        "former",
        "current",
        "new",
        "top",
        "senior",
        "then-",
    ]
)

# Countries, as news texts name them: ISO code -> names, demonyms, capitals and metonyms.
COUNTRIES = {
    "RU": {"russia", "russian", "russians", "moscow", "kremlin", "russian federation"},
    "US": {
        "united states",
        "us",
        "u.s.",
        "u.s",
        "usa",
        "u.s.a.",
        "america",
        "american",
        "americans",
        "washington",
        "white house",
        "pentagon",
    },
    "UA": {"ukraine", "ukrainian", "ukrainians", "kiev", "kyiv"},
    "FR": {"france", "french", "paris", "elysee", "élysée"},
    "DE": {"germany", "german", "germans", "berlin"},
    "GB": {"britain", "british", "uk", "u.k.", "united kingdom", "london", "downing street"},
    "CN": {"china", "chinese", "beijing"},
    "BY": {"belarus", "belarusian", "minsk"},
    "PL": {"poland", "polish", "warsaw"},
    "TR": {"turkey", "turkish", "türkiye", "ankara"},
    "IT": {"italy", "italian", "rome"},
    "ES": {"spain", "spanish", "madrid"},
    "NO": {"norway", "norwegian", "oslo"},
    "SE": {"sweden", "swedish", "stockholm"},
    "FI": {"finland", "finnish", "helsinki"},
    "EE": {"estonia", "estonian", "tallinn"},
    "LV": {"latvia", "latvian", "riga"},
    "LT": {"lithuania", "lithuanian", "vilnius"},
    "GE": {"georgia", "georgian", "tbilisi"},
    "IR": {"iran", "iranian", "tehran"},
    "IQ": {"iraq", "iraqi", "baghdad"},
    "SY": {"syria", "syrian", "damascus"},
    "IL": {"israel", "israeli", "jerusalem"},
    "JP": {"japan", "japanese", "tokyo"},
    "IN": {"india", "indian", "new delhi"},
    "CA": {"canada", "canadian", "ottawa"},
    "HU": {"hungary", "hungarian", "budapest"},
    "NL": {"netherlands", "dutch", "the hague", "amsterdam"},
    "BE": {"belgium", "belgian", "brussels"},
    "KP": {"north korea", "north korean", "pyongyang"},
}
COUNTRY_OF = {name: code for code, names in COUNTRIES.items() for name in names}

# Who relays words rather than says them: "reports TASS", "the German media reported".
NEWS_AGENCIES = frozenset(
    [
        "tass",
        "ria",
        "novosti",
        "interfax",
        "sputnik",
        "rt",
        "reuters",
        "afp",
        "ap",
        "bloomberg",
        "dpa",
        "xinhua",
        "efe",
        "ansa",
        "bbc",
        "cnn",
        "media",
        "press",
        "newspaper",
        "agency",
        "outlet",
        "broadcaster",
    ]
)
# Verbs that relay another's words: "citing", "quoting", "with reference to".
RELAY_MARKERS = ("with reference to", "citing", "quoting", "referring to", "according to")

# Nouns after which a quoted phrase is a name, not words said: the “Norman Quartet” format.
NAMING_NOUNS = frozenset(
    [
        "meeting",
        "format",
        "operation",
        "program",
        "programme",
        "project",
        "plan",
        "initiative",
        "doctrine",
        "exercise",
        "exercises",
        "drill",
        "drills",
        "mission",
        "campaign",
        "movement",
        "group",
        "party",
        "company",
        "ship",
        "missile",
        "system",
        "treaty",
        "agreement",
        "deal",
        "summit",
        "conference",
        "festival",
        "film",
        "book",
        "report",
        "document",
        "so-called",
        "called",
        "named",
        "dubbed",
        "titled",
    ]
)

# Units a troop count is given in.
TROOP_UNITS = (
    "troops",
    "soldiers",
    "servicemen",
    "service members",
    "servicemembers",
    "personnel",
    "military personnel",
    "marines",
    "paratroopers",
)
