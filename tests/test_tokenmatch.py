"""The token-pattern matcher: the longest match at each start, whatever tells the starts apart
(a norm, a text, a number, an optional or repeated token), in the order a reader meets them."""

from __future__ import annotations

from typing import Any

import pytest

from workflow_prover.annotate.tokenmatch import TokenMatcher
from workflow_prover.annotate.types import Tok

# "—" reads as "-" (spaCy normalises dashes), so a pattern on ORTH sees what NORM does not
_NORMS = {"—": "-", "Catch": "catch"}


def _toks(text: str) -> list[Tok]:
    toks: list[Tok] = []
    at = 0
    for i, word in enumerate(text.split()):
        start = text.index(word, at)
        at = start + len(word)
        toks.append(Tok(i, word, _NORMS.get(word, word.lower()), start, at, " ", 0, i == 0, 0))
    return toks


_PATTERNS: dict[str, list[dict[str, Any]]] = {
    "rate": [
        {"LIKE_NUM": True},
        {"OP": "{,2}"},
        {"NORM": {"IN": ["per", "/"]}},
        {"NORM": "second"},
    ],
    "attempts": [{"LIKE_NUM": True}, {"NORM": {"IN": ["attempts", "retries"]}}],
    "catch": [{"ORTH": "Catch"}],
    "dash": [{"ORTH": "—"}],
    "dlq": [{"NORM": "dead", "OP": "?"}, {"NORM": "letter"}, {"NORM": "queue"}],
    "backoff": [{"NORM": "exponential"}, {"NORM": "backoff", "OP": "+"}],
    "not_now": [{"NORM": "retry"}, {"NORM": "now", "OP": "!"}],
    "store": [{"NORM": "failed"}, {"OP": "{,2}"}, {"NORM": "table"}],
    # first tokens tested on a column of the text: a regex of the lower case, a text not in a set
    "queue_name": [{"LOWER": {"REGEX": r"^[a-z]+[._-]dlq$"}}, {"NORM": "queue"}],
    "not_a_verb": [{"LOWER": {"NOT_IN": ["to", "we"]}}, {"NORM": "fails"}],
    "upper": [{"IS_UPPER": True}, {"NORM": "key"}],
}


def _matcher() -> TokenMatcher:
    matcher = TokenMatcher()
    for key, pattern in _PATTERNS.items():
        matcher.add(key, pattern)
    return matcher


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we send 10 emails per second", [("rate", 2, 6)]),
        ("we send ten per second", [("rate", 2, 5)]),  # a number word, no gap
        ("we send 10 big fat emails per second", []),  # a gap of three is too long
        ("per second 10", []),  # the number must come first
        ("give up after 5 attempts", [("attempts", 3, 5)]),
        ("5 retries then 3 attempts", [("attempts", 0, 2), ("attempts", 3, 5)]),
        ("the Catch field", [("catch", 1, 2)]),
        ("the catch field", []),  # ORTH: as written
        ("push — then pull", [("dash", 1, 2)]),
        ("push - then pull", []),
        # the longest match at each start; an optional first token may be missing
        ("a dead letter queue", [("dlq", 1, 4), ("dlq", 2, 4)]),
        ("a letter queue", [("dlq", 1, 3)]),
        ("exponential backoff backoff", [("backoff", 0, 3)]),
        ("retry later", [("not_now", 0, 2)]),
        ("retry now", []),
        ("retry", []),  # the text ends before the pattern does
        ("failed table", [("store", 0, 2)]),
        ("failed sync jobs table", [("store", 0, 4)]),  # a gap as wide as allowed
        ("failed to sync jobs table", []),  # one word too many
        ("the failed sync", []),  # the text ends inside the gap
        ("failed SKUs . table", []),  # a gap never crosses a sentence's end
        ("failed SKUs ; table", []),
        ("5 attempts at 10 per second", [("attempts", 0, 2), ("rate", 3, 6)]),
        ("10 attempts per second", [("rate", 0, 4), ("attempts", 0, 2)]),
        ("-3 attempts and 2.5 attempts", [("attempts", 0, 2), ("attempts", 3, 5)]),
        ("Orders-DLQ queue", [("queue_name", 0, 2)]),  # the regex reads the lower case
        ("orders-dlq-x queue", []),
        ("it fails", [("not_a_verb", 0, 2)]),
        ("We fails", []),
        ("an API key", [("upper", 1, 3)]),  # a flag with no column: tested token by token
    ],
)
def test_when_a_text_holds_a_pattern_then_its_longest_match_is_found_in_reading_order(
    text: str, expected: list[tuple[str, int, int]]
) -> None:
    assert _matcher()(_toks(text)) == expected
