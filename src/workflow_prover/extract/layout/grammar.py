"""Closed-class English words the extractors reason with (no POS tagger is available).

A blank spaCy pipeline has no tagger or parser, so telling "we post to Slack" (a verb) from
"the Slack post is skipped" (a noun) rests on these small, closed word classes. Domain words
(services, mechanisms, cues) live in the lexicons; these are grammar and do not change.
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
