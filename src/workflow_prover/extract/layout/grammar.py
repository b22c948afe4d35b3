"""Closed-class English words the extractors reason with (no POS tagger is available).

A blank spaCy pipeline has no tagger or parser, so telling "we post to Slack" (a verb) from
"the Slack post is skipped" (a noun) rests on these small, closed word classes: determiners,
pronouns, auxiliaries, prepositions, conjunctions and connectives, punctuation that joins,
irregular verb forms. They are grammar, the same in every domain, and this is the one module
that lists them. Domain words (services, mechanisms, cues, and the word classes a rule reads
such as generic heads, trigger and schedule words) live in the lexicons
(`lexicons/words.jsonl`, read through `lexicon.words.WordClasses`).
"""

from __future__ import annotations

from workflow_prover.annotate.types import Tok

DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "each",
        "every",
        "all",
        "any",
        "some",
        "no",
        "one",
        "two",
        "three",
        "its",
        "their",
        "our",
        "your",
        "his",
        "her",
        "my",
        "whose",
        "both",
        "either",
        "neither",
        "another",
        "other",
        "such",
    ]
)
SUBJECT_PRONOUNS = frozenset(
    ["we", "i", "it", "they", "he", "she", "you", "who", "which", "that", "someone", "everyone"]
)
OBJECT_PRONOUNS = frozenset(
    ["it", "them", "us", "him", "her", "me", "you", "this", "that", "these", "those"]
)
AUXILIARIES = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "must",
        "may",
        "might",
        "shall",
        "do",
        "does",
        "did",
        "'s",
        "'re",
        "'ve",
        "'d",
        "'ll",
        "get",
        "gets",
        "got",
        "getting",
        "goes",
        "go",
        "went",
        "use",
        "uses",
        "land",
        "lands",
        "end",
        "ends",
        "live",
        "lives",
        "sit",
        "sits",
        "come",
        "comes",
        "stay",
        "stays",
    ]
)
PREPOSITIONS = frozenset(
    [
        "to",
        "into",
        "in",
        "on",
        "at",
        "from",
        "via",
        "through",
        "with",
        "for",
        "of",
        "by",
        "about",
        "after",
        "before",
        "over",
        "under",
        "per",
        "against",
        "within",
        "without",
        "across",
        "onto",
        "upon",
    ]
)
ADVERBS = frozenset(
    [
        "also",
        "then",
        "just",
        "only",
        "first",
        "finally",
        "later",
        "automatically",
        "immediately",
        "still",
        "always",
        "never",
        "again",
        "asynchronously",
        "synchronously",
        "simply",
        "directly",
        "now",
        "usually",
        "normally",
        "additionally",
        "afterwards",
        "next",
        "subsequently",
        "once",
        "periodically",
        "nightly",
        "daily",
        "hourly",
        "weekly",
    ]
)
ARROWS = frozenset(("->", "-->", "=>", "==>", "→", "⇒", "➜", "➔", "⟶", "↦", ">>"))
BULLETS = frozenset(["-", "*", "•", "·", "▪", "‣", "–", "—", "+"])
SENTENCE_END = frozenset((".", "!", "?", "...", "…"))
# emphasis and quotes around a sentence: "**Calls to the LMS.**"
MARKUP = frozenset(("**", "*", "__", "_", '"', "'", ")", "”", "’", "`"))
# words that end a service name read leftwards from its head ("the state licensing API")
NAME_STOPS = (
    DETERMINERS
    | PREPOSITIONS
    | frozenset(
        [
            "and",
            "or",
            "as",
            "is",
            "are",
            "was",
            "were",
            "be",
            "'s",
            "’s",
            ",",
            ";",
            ":",
            ".",
            "(",
            ")",
            "w/",
            "via",
            "using",
            "=",
            # code keywords before a client: "await db.query(...)", "const crm = ..."
            "await",
            "const",
            "let",
            "var",
            "return",
            "yield",
            "then",
            "also",
            "so",
            "but",
            "when",
            "if",
            "which",
            "who",
            "we",
            "they",
            "it",
            "i",
            "you",
            "->",
            "→",
            # a modal or a negation is the clause's, never a name's: "Partner C, which still
            # cannot call HTTP endpoints" names no system "still cannot call HTTP endpoints"
            "cannot",
            "can't",
            "can",
            "could",
            "will",
            "would",
            "should",
            "must",
            "not",
            "n't",
            "never",
            "still",
        ]
    )
)
# prepositions of place: "create the delivery in DoorDash Drive" names the system acted on
PLACE_PREPOSITIONS = frozenset(("in", "into", "to", "through", "via", "from", "on"))
# before a lower-case alias ("create a transfer in wise", "close + hubspot") the word is a system
SYSTEM_BEFORE = frozenset(
    [
        *("to", "into", "in", "on", "at", "via", "through", "from", "with", "using"),
        *("against", "+", "&"),
    ]
)
# what joins the names of a list ("github, notion and jira")
LIST_JOINERS = frozenset((",", "and", "or", "+", "&", "/"))
# prepositions that introduce where something is kept ("deduped on msg_id in a Postgres table")
STORE_PREPOSITIONS = frozenset(("in", "into", "against", "via", "using", "with", "on"))
# auxiliaries of the passive ("is written", "gets posted")
PASSIVE_AUXILIARIES = frozenset(
    ("is", "are", "was", "were", "be", "been", "being", "get", "gets", "got")
)
# words before a verb that leave it opening its clause: "we create", "then posts", "it sends"
VERB_OPENERS = frozenset(
    [
        "it",
        "we",
        "i",
        "they",
        "you",
        "then",
        "and",
        "also",
        "just",
        "first",
        "finally",
        "next",
        "always",
        "either",  # "then either creates a new record or updates the existing one"
        "or",
    ]
)
# where a later action's own subject starts ("..., worker sends it")
SUBJECT_BREAKS = frozenset((",", ";", "and", "then", "or", ":"))
# prepositions of a call's target ("retries on Stripe", "backoff for the HubSpot calls")
CALL_PREPOSITIONS = frozenset(("on", "to", "for", "against", "toward", "towards"))
# "so X can dedupe", "to let X dedupe", "in order to": a clause of purpose
PURPOSE_OPENERS = frozenset(("so", "to", "in"))
# punctuation and conjunctions that coordinate
COORDINATORS = frozenset((",", ";", "and", "or", "nor"))
# before a verb these make it non-finite ("to retry", "without first searching")
NON_FINITE = frozenset(("to", "without", "by", "before", "after", "of", "for", "first"))
# after these "that" is the thing said before: "we dropped that", "all of that"
RELATIVE_NOT_AFTER = frozenset(("and", "but", "so", "of", "like", "did", "do", "does", "is"))
# discourse connectives that open a new clause ("but", "however", "finally")
CLAUSE_OPENERS = frozenset(
    [
        "but",
        "however",
        "whereas",
        "although",
        "though",
        "because",
        "so",
        "while",
        "then",
        "unless",
        "otherwise",
        "finally",
        "afterwards",
        "afterward",
        "lastly",
    ]
)
# after a comma these open a new clause ("..., which", "..., and then")
AFTER_COMMA = frozenset(
    [
        "and",
        "or",
        "but",
        "then",
        "so",
        "which",
        "while",
        "whereas",
        "because",
        "although",
        "though",
        "unless",
        "otherwise",
        "who",
        "where",
        "plus",  # "exponential backoff on every call, plus a 3 req/s cap on Attio": two claims
    ]
)
# after a comma, these open the next step of a sequence ("..., finally we text ...")
SEQUENCE_WORDS = frozenset(("finally", "next", "lastly", "afterwards", "afterward", "then"))
# connectives a clause's content starts after ("then", "first", "finally")
CONNECTIVES = frozenset(
    ("then", "and", "first", "firstly", "finally", "next", "also", "so", "afterwards", "lastly")
)
# what joins one verb phrase to the next ("pull ... and create ...")
PHRASE_JOINERS = frozenset(
    (",", ";", "and", "or", "then", "to", "nor", "but", "which", "that", "who", "(", ")")
)
# read leftwards from a name to its preposition, these are skipped ("into our Postgres")
SKIP_LEFT = DETERMINERS | frozenset(("'s", "’s", "our", "their", "its", "the", "`", '"', "'"))
# words before a verb that are not the noun of a compound ("then post updates the ...")
NOT_NOUNS = frozenset(("then", "and", "or", "to", "also", "just", "always", "never", "first"))
# irregular past forms ("read", "put" and "set" are spelt alike in base and past: they are
# read as base forms)
IRREGULAR_PAST = frozenset(
    [
        "sent",
        "written",
        "wrote",
        "paid",
        "got",
        "gotten",
        "found",
        "took",
        "taken",
        "kept",
        "held",
        "built",
        "made",
        "done",
        "gone",
        "brought",
        "bought",
    ]
)
# "messages from Mirth Connect arrive on our queue": where a delivery arrives
ARRIVAL_PREPOSITIONS = frozenset(("on", "in", "at", "into", "through", "via", "to"))


def object_starter(tok: Tok) -> bool:
    """Can this token begin a verb's object or complement ("sends *the* email", "*to* Slack")?"""
    norm = tok.norm
    return (
        norm in DETERMINERS
        or norm in OBJECT_PRONOUNS
        or norm in PREPOSITIONS
        or norm in ("new", "up", "out", "back", "every", "#", "`", '"', "'")
        or tok.text[:1].isdigit()
        or tok.text[:1].isupper()
    )


def in_identifier(toks: list[Tok], start: int, end: int) -> bool:
    """Are tokens [start, end) words of a snake_case identifier ("harvest_entry_id")?"""
    k = end
    if k + 1 < len(toks) and toks[k].text == "_" and not toks[k - 1].ws and not toks[k].ws:
        return toks[k + 1].text[:1].isalnum()
    k = start - 1
    return k > 0 and toks[k].text == "_" and not toks[k].ws and not toks[k - 1].ws


def glued_hyphen(toks: list[Tok], k: int) -> bool:
    """Is token k a hyphen glued to the words on both sides ('audit-log', 'no-shows'), the
    hyphen of a compound word as the underscore is of an identifier (`in_identifier`)?"""
    return 0 < k < len(toks) - 1 and toks[k].text == "-" and not toks[k - 1].ws and not toks[k].ws


# after a quantified phrase these say what it is about: "every call to Xero", "all requests
# against the HubSpot API" (scope.py narrows the quantifier to that service)
NARROWING_PREPOSITIONS = frozenset(("to", "against", "on", "at", "into", "from", "for", "via"))


def once_adverb(toks: list[Tok], i: int, not_trigger: frozenset[str]) -> bool:
    """'once a day', 'once per run', 'once more': an adverb of frequency, no trigger; but
    'once a timesheet is approved': 'a' opens the subject of a clause (a verb shortly after)."""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if toks[i].norm != "once":
        return False
    if nxt is None:
        return True
    if nxt.norm in ("a", "an") and any(t.norm in _EVENT_VERBS for t in toks[i + 3 : i + 6]):
        return False
    return nxt.norm in not_trigger


# the verb of a clause 'once' opens as a conjunction ("once a timesheet is approved")
_EVENT_VERBS = frozenset(("is", "are", "was", "gets", "lands", "arrives", "comes"))
