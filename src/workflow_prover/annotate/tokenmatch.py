"""A token-pattern matcher for the spaCy `Matcher` pattern format, over plain tokens.

spaCy's Matcher evaluates `{"IN": [...]}` sets through a Python callback for every token and
pattern, which cost ~35 ms per 200-word text with the lexicons' ~150 list patterns. Here each
pattern is compiled once, and only started where its first token can match (an index from
norm to patterns), which brings matching well under a millisecond. The supported subset is
the one the lexicons use: NORM/LOWER/ORTH/TEXT (a string, `{"IN": [...]}` or `{"REGEX": ...}`),
LIKE_NUM, IS_DIGIT, IS_PUNCT, IS_ALPHA, IS_UPPER, IS_TITLE, SPACY, LENGTH, and OP `?`, `*`, `+`,
`{,n}`, `{n,m}`, `!`. Matching is greedy: for each start, the longest match is returned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from workflow_prover.annotate.types import Tok

Predicate = Callable[[Tok], bool]

_NUMBER_WORDS = frozenset(
    [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "hundred",
        "thousand",
    ]
)
_LIKE_NUM = re.compile(r"^[+-]?\d+(?:[.,]\d+)*%?$")


def like_num(tok: Tok) -> bool:
    return bool(_LIKE_NUM.match(tok.text)) or tok.norm in _NUMBER_WORDS


@dataclass(frozen=True, slots=True)
class _Spec:
    test: Predicate
    low: int
    high: int  # -1: unbounded
    keys: frozenset[str] | None  # the norms the token must have, when that is all it needs
    index: frozenset[str] | None = None  # norms the token must have (it may need more)

    def ok(self, tok: Tok) -> bool:
        keys = self.keys
        return tok.norm in keys if keys is not None else self.test(tok)


def _value_test(
    getter: Callable[[Tok], str], value: Any
) -> tuple[Predicate, frozenset[str] | None]:
    if isinstance(value, str):
        return (lambda t: getter(t) == value), frozenset([value])
    if isinstance(value, dict) and "IN" in value:
        allowed = frozenset(value["IN"])
        return (lambda t: getter(t) in allowed), allowed
    if isinstance(value, dict) and "NOT_IN" in value:
        banned = frozenset(value["NOT_IN"])
        return (lambda t: getter(t) not in banned), None
    if isinstance(value, dict) and "REGEX" in value:
        rx = re.compile(value["REGEX"])
        return (lambda t: rx.search(getter(t)) is not None), None
    raise ValueError(f"unsupported token value {value!r}")


_GETTERS: dict[str, Callable[[Tok], str]] = {
    "NORM": lambda t: t.norm,
    "LOWER": lambda t: t.text.lower(),
    "ORTH": lambda t: t.text,
    "TEXT": lambda t: t.text,
}
_FLAGS: dict[str, Predicate] = {
    "LIKE_NUM": like_num,
    "IS_DIGIT": lambda t: t.text.isdigit(),
    "IS_PUNCT": lambda t: not any(c.isalnum() for c in t.text),
    "IS_ALPHA": lambda t: t.text.isalpha(),
    "IS_UPPER": lambda t: t.text.isupper(),
    "IS_TITLE": lambda t: t.text.istitle(),
    "SPACY": lambda t: bool(t.ws),  # followed by whitespace; identifier parts are glued
}


def _compile_token(token: dict[str, Any]) -> _Spec:
    tests: list[Predicate] = []
    keys: frozenset[str] | None = None
    norms: frozenset[str] | None = None
    negate = False
    low, high = 1, 1
    for attr, value in token.items():
        if attr == "OP":
            low, high, negate = _op(value)
        elif attr in _GETTERS:
            check, found = _value_test(_GETTERS[attr], value)
            tests.append(check)
            if attr == "NORM":
                norms = found
            if attr == "NORM" and len(token) - ("OP" in token) == 1:
                keys = found
        elif attr in _FLAGS:
            tests.append(_flag(_FLAGS[attr], bool(value)))
        elif attr == "LENGTH":
            tests.append(_length(int(value)))
        else:
            raise ValueError(f"unsupported token attribute {attr!r}")

    index = None if negate else norms
    if len(tests) == 1 and not negate:
        return _Spec(tests[0], low, high, keys, index)

    def combined(tok: Tok) -> bool:
        ok = all(check(tok) for check in tests)
        return not ok if negate else ok

    return _Spec(combined, low, high, None if negate else keys, index)


def _flag(flag: Predicate, wanted: bool) -> Predicate:
    return flag if wanted else (lambda t: not flag(t))


def _length(n: int) -> Predicate:
    return lambda t: len(t.text) == n


def _op(op: str) -> tuple[int, int, bool]:
    if op == "?":
        return 0, 1, False
    if op == "*":
        return 0, -1, False
    if op == "+":
        return 1, -1, False
    if op == "!":
        return 1, 1, True
    m = re.fullmatch(r"\{(\d*),(\d*)\}", op)
    if m:
        return int(m.group(1) or 0), int(m.group(2)) if m.group(2) else -1, False
    raise ValueError(f"unsupported OP {op!r}")


class TokenMatcher:
    """Compiled token patterns; `__call__` returns (key, start, end) for the longest matches."""

    def __init__(self) -> None:
        self._patterns: list[tuple[str, tuple[_Spec, ...]]] = []
        self._required: list[tuple[frozenset[str], ...]] = []
        self._by_first: dict[str, list[int]] = {}
        self._anywhere: list[int] = []
        self._by_word: dict[str, list[int]] = {}  # a required norm -> patterns needing it
        self._unindexed: list[int] = []  # patterns with no required norm at all

    def add(self, key: str, pattern: Sequence[dict[str, Any]]) -> None:
        specs = tuple(_compile_token(t) for t in pattern)
        index = len(self._patterns)
        self._patterns.append((key, specs))
        # norms a text must contain somewhere for this pattern to have any chance
        required = tuple(s.index for s in specs if s.low >= 1 and s.index is not None)
        self._required.append(required)
        if required:
            for norm in min(required, key=len):
                self._by_word.setdefault(norm, []).append(index)
        else:
            self._unindexed.append(index)
        first = specs[0]
        if first.low >= 1 and first.index is not None:
            for norm in first.index:
                self._by_first.setdefault(norm, list(self._anywhere)).append(index)
        else:
            self._anywhere.append(index)
            for indices in self._by_first.values():
                indices.append(index)

    def _possible(self, norms: set[str]) -> set[int]:
        """Patterns whose every required norm occurs in the text."""
        candidates = set(self._unindexed)
        by_word = self._by_word
        for norm in norms:
            hit = by_word.get(norm)
            if hit:
                candidates.update(hit)
        required = self._required
        return {i for i in candidates if all(not keys.isdisjoint(norms) for keys in required[i])}

    def __call__(self, toks: Sequence[Tok]) -> list[tuple[str, int, int]]:
        found: list[tuple[str, int, int]] = []
        possible = self._possible({t.norm for t in toks})
        if not possible:
            return found
        patterns, by_first, anywhere = self._patterns, self._by_first, self._anywhere
        count = len(toks)
        for start, tok in enumerate(toks):
            for index in by_first.get(tok.norm, anywhere):
                if index not in possible:
                    continue
                key, specs = patterns[index]
                if len(specs) > 1 and start + 1 < count:
                    second = specs[1]
                    if (
                        second.low == 1 == second.high
                        and second.index is not None
                        and toks[start + 1].norm not in second.index
                    ):
                        continue  # the common miss, decided without a call
                end = _longest(specs, 0, toks, start)
                if end is not None and end > start:
                    found.append((key, start, end))
        return found


def _longest(specs: tuple[_Spec, ...], k: int, toks: Sequence[Tok], pos: int) -> int | None:
    """The furthest end position at which specs[k:] match from `pos`, or None."""
    if k == len(specs):
        return pos
    spec = specs[k]
    limit = len(toks) - pos if spec.high < 0 else min(spec.high, len(toks) - pos)
    count = 0
    ok = spec.ok
    while count < spec.low:
        if count >= limit or not ok(toks[pos + count]):
            return None
        count += 1
    if spec.high == spec.low:  # the common case: exactly one token
        return _longest(specs, k + 1, toks, pos + count)
    top = count
    while top < limit and ok(toks[pos + top]):
        top += 1
    for used in range(top, count - 1, -1):
        end = _longest(specs, k + 1, toks, pos + used)
        if end is not None:
            return end
    return None
