"""A token-pattern matcher for the spaCy `Matcher` pattern format, over plain tokens.

spaCy's Matcher evaluates `{"IN": [...]}` sets through a Python callback for every token and
pattern, which cost ~35 ms per 200-word text with the lexicons' ~150 list patterns. Here each
pattern is compiled once, and only tried where its first token can match: at the positions of
the norms it starts with (the text's tokens indexed by norm once per call), or, for a pattern
that starts with a number or an ORTH, where that first test holds (tested once per token, not
once per pattern). The tokens at a fixed distance from the start, or within a short window
after a gap, are checked against their norm sets before any call, which settles most misses.
This keeps matching well under a millisecond.
A head that reads only the token's text (an ORTH or LOWER test, the written digits of LIKE_NUM,
a set of texts) is a property of the word, not of the token: `text_test()` is their union, which
the pipeline has spaCy compute once per word (a lexeme flag, as spaCy computes IS_ALPHA), and
such heads are then tested only on the tokens the flag marks, not on every token.
The supported subset is the one the lexicons use: NORM/LOWER/ORTH/TEXT (a string,
`{"IN": [...]}` or `{"REGEX": ...}`), LIKE_NUM, IS_DIGIT, IS_PUNCT, IS_ALPHA, IS_UPPER,
IS_TITLE, SPACY, LENGTH, and OP `?`, `*`, `+`, `{,n}`, `{n,m}`, `!`.
Matching is greedy: for each start, the longest match is returned (an optional first token
may be missing: "letter queue" matches `dead? letter queue` from "letter").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Any

from workflow_prover.annotate.types import Tok

Predicate = Callable[[Tok], bool]
# a test of one column of the tokens (NORM, LOWER, ORTH): the column's name and a test of its
# strings (None for LIKE_NUM, which reads two columns)
Scan = tuple[str, Callable[[str], object] | None]

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
    first = tok.text[:1]  # the regex needs a sign or a digit first (isdigit: every \d, and more)
    if first and (first.isdigit() or first in "+-") and _LIKE_NUM.match(tok.text):
        return True
    return tok.norm in _NUMBER_WORDS


@dataclass(frozen=True, slots=True)
class _Spec:
    test: Predicate
    low: int
    high: int  # -1: unbounded
    keys: frozenset[str] | None  # the norms the token must have, when that is all it needs
    index: frozenset[str] | None = None  # norms the token must have (it may need more)
    texts: frozenset[str] | None = None  # the same for the token's text (ORTH, TEXT)
    wild: bool = False  # any token but a sentence end will do (`{"OP": "{,4}"}`): a gap
    scan: Scan | None = None  # the test as a test of one column, when it is one

    def ok(self, tok: Tok) -> bool:
        keys = self.keys
        return tok.norm in keys if keys is not None else self.test(tok)


def _value_test(
    getter: Callable[[Tok], str], value: Any
) -> tuple[Predicate, frozenset[str] | None, Callable[[str], object]]:
    """The token test, the values it allows (when it lists them), and the same test of the
    string the getter reads."""
    if isinstance(value, str):
        return (lambda t: getter(t) == value), frozenset([value]), value.__eq__
    if isinstance(value, dict) and "IN" in value:
        allowed = frozenset(value["IN"])
        return (lambda t: getter(t) in allowed), allowed, allowed.__contains__
    if isinstance(value, dict) and "NOT_IN" in value:
        banned = frozenset(value["NOT_IN"])
        return (lambda t: getter(t) not in banned), None, lambda s: s not in banned
    if isinstance(value, dict) and "REGEX" in value:
        rx = re.compile(value["REGEX"])
        return (lambda t: rx.search(getter(t)) is not None), None, rx.search
    raise ValueError(f"unsupported token value {value!r}")


_GETTERS: dict[str, Callable[[Tok], str]] = {
    "NORM": lambda t: t.norm,
    "LOWER": lambda t: t.text.lower(),
    "ORTH": lambda t: t.text,
    "TEXT": lambda t: t.text,
}
_COLUMNS = {"NORM": "NORM", "LOWER": "LOWER", "ORTH": "ORTH", "TEXT": "ORTH"}
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
    scans: list[Scan | None] = []
    keys: frozenset[str] | None = None
    norms: frozenset[str] | None = None
    texts: frozenset[str] | None = None
    negate = False
    low, high = 1, 1
    for attr, value in token.items():
        if attr == "OP":
            low, high, negate = _op(value)
        elif attr in _GETTERS:
            check, found, of_string = _value_test(_GETTERS[attr], value)
            tests.append(check)
            scans.append((_COLUMNS[attr], of_string))
            if attr == "NORM":
                norms = found
            if attr in ("ORTH", "TEXT") and found is not None:
                texts = found
            if attr == "NORM" and len(token) - ("OP" in token) == 1:
                keys = found
        elif attr in _FLAGS:
            tests.append(_flag(_FLAGS[attr], bool(value)))
            scans.append(("LIKE_NUM", None) if attr == "LIKE_NUM" and value else None)
        elif attr == "LENGTH":
            tests.append(_length(int(value)))
            scans.append(None)
        else:
            raise ValueError(f"unsupported token attribute {attr!r}")

    index = None if negate else norms
    texts = None if negate else texts
    if not tests and not negate:
        return _Spec(lambda t: True, low, high, None, wild=True)
    if len(tests) == 1 and not negate:
        return _Spec(tests[0], low, high, keys, index, texts, scan=scans[0])

    def combined(tok: Tok) -> bool:
        ok = all(check(tok) for check in tests)
        return not ok if negate else ok

    return _Spec(combined, low, high, None if negate else keys, index, texts)


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


@dataclass(frozen=True, slots=True)
class _Pattern:
    """A compiled pattern with the cheap tests that rule most starts out without a call.

    `near`: (lo, hi, norms) for the tokens that must have one of `norms` and sit between
    `lo` and `hi` tokens after the start (lo == hi before the first variable-width spec;
    after it, a window as wide as the gaps allow, when that is short): a pattern with gaps
    (`failed ? {,4} ? table`) costs tens of tries to refute at a start; `head`: the first
    token's test when that token is required but not indexed by norm (LIKE_NUM, ORTH), and
    `texts` the texts that token must have when its test says so (ORTH, TEXT).
    """

    key: str
    specs: tuple[_Spec, ...]
    near: tuple[tuple[int, int, frozenset[str]], ...]
    head: Predicate | None
    texts: frozenset[str] | None
    scan: Scan | None  # the head as a test of one column, when it is one
    # what the head needs of the token's text alone (see `TokenMatcher.text_test`), when that
    # is all it reads or a necessary part of it: the column (ORTH or LOWER) and its test
    by_text: tuple[str, Callable[[str], object]] | None


_WIDEST = 12  # a wider window costs more to scan than the tries it saves


def _prepare(key: str, specs: tuple[_Spec, ...]) -> _Pattern:
    near: list[tuple[int, int, frozenset[str]]] = []
    lo, hi = 0, 0  # the offsets at which the next spec's first token can be
    for spec in specs:
        if spec.index is not None and spec.low >= 1 and 0 <= hi - lo <= _WIDEST:
            repeats = spec.low if lo == hi and spec.low == spec.high else 1
            near.extend((lo + j, hi + j, spec.index) for j in range(repeats))
        lo += spec.low
        hi = -1 if hi < 0 or spec.high < 0 else hi + spec.high
    first = specs[0]
    head = first.test if first.low >= 1 and first.index is None else None
    texts = first.texts if head else None
    scan = first.scan if head else None
    return _Pattern(key, specs, tuple(near), head, texts, scan, _by_text(scan, texts))


_TEXT_COLUMNS = frozenset(("ORTH", "LOWER"))


def _by_text(
    scan: Scan | None, texts: frozenset[str] | None
) -> tuple[str, Callable[[str], object]] | None:
    """The test of the token's text a head needs, when there is one: its own column test
    (ORTH, LOWER), LIKE_NUM's written number (its number words are read off the norms), or the
    texts an ORTH or TEXT head must have."""
    if scan is not None:
        name, test = scan
        if test is None:
            return "ORTH", _LIKE_NUM.match
        return (name, test) if name in _TEXT_COLUMNS else None
    return ("ORTH", texts.__contains__) if texts is not None else None


# a pattern as tried where its first token's norm is: its index, the norm sets it needs
# besides that one, its `near` windows after that token's own, its specs, and how many specs
# (and tokens) `_longest` can skip: the first, when its norm is all it needs
_Entry = tuple[
    int,
    tuple[frozenset[str], ...],
    tuple[tuple[int, int, frozenset[str]], ...],
    tuple[_Spec, ...],
    int,
]


def _entry(index: int, pattern: _Pattern, required: tuple[frozenset[str], ...]) -> _Entry:
    """What is left to test of a pattern at a start whose norm its first token allows: that
    token's own window (`near[0]`, at offset 0) and norm set (`required[0]`) hold already."""
    first = pattern.specs[0]
    settled = first.low == first.high == 1 and first.keys is not None
    return index, required[1:], pattern.near[1:], pattern.specs, 1 if settled else 0


class TokenMatcher:
    """Compiled token patterns; `__call__` returns (key, start, end) for the longest matches,
    ordered by start, then by the order the patterns were added."""

    def __init__(self) -> None:
        self._patterns: list[_Pattern] = []
        # norms a text must contain somewhere for a pattern to have any chance
        self._required: list[tuple[frozenset[str], ...]] = []
        # a norm -> the patterns whose first token needs it (or one of its others), each with
        # what is left to test at a start where the norm is: `_Entry`
        self._by_first: dict[str, list[_Entry]] = {}
        self._anywhere: list[int] = []  # the others: tried at every token their head allows
        self._sealed = False  # `text_test` was handed out: its union must not change

    def add(self, key: str, pattern: Sequence[dict[str, Any]]) -> None:
        if self._sealed:
            raise RuntimeError("a pattern added after text_test(): its words are not marked")
        specs = tuple(_compile_token(t) for t in pattern)
        index = len(self._patterns)
        self._patterns.append(_prepare(key, specs))
        required = tuple(s.index for s in specs if s.low >= 1 and s.index is not None)
        self._required.append(required)
        first = specs[0]
        if first.low >= 1 and first.index is not None:
            entry = _entry(index, self._patterns[index], required)
            for norm in first.index:
                self._by_first.setdefault(norm, []).append(entry)
        else:
            self._anywhere.append(index)

    def text_test(self) -> Callable[[str], bool]:
        """Does a word's text pass the text test of some pattern's head (`_Pattern.by_text`)?

        The positions of the tokens whose text it holds for are what `__call__` takes as
        `marked`; a head with such a test is tried only there. No pattern may be added after."""
        self._sealed = True
        tests: dict[tuple[str, int], Callable[[str], object]] = {}
        for index in self._anywhere:
            by_text = self._patterns[index].by_text
            if by_text is not None:
                tests[by_text[0], id(by_text[1])] = by_text[1]
        of_text = tuple(test for (name, _), test in tests.items() if name == "ORTH")
        of_lower = tuple(test for (name, _), test in tests.items() if name == "LOWER")

        def marks(text: str) -> bool:
            if any(test(text) for test in of_text):
                return True
            if of_lower:
                lower = text.lower()
                return any(test(lower) for test in of_lower)
            return False

        return marks

    def __call__(
        self, toks: Sequence[Tok], marked: Sequence[int] | None = None
    ) -> list[tuple[str, int, int]]:
        """The matches in `toks`; `marked`: the positions, in order, of the tokens whose text
        passes `text_test()`, and maybe of others (found here when not given)."""
        norms = [t.norm for t in toks]
        present = set(norms)
        count = len(norms)
        hits: list[tuple[int, int, int]] = []  # (start, pattern, end)
        by_first = self._by_first
        at: dict[str, list[int]] = {}  # the positions of each norm some pattern starts with
        for i, norm in enumerate(norms):
            if norm in by_first:
                at.setdefault(norm, []).append(i)
        for norm, starts in at.items():
            for index, required, near, specs, skip in by_first[norm]:
                for keys in required:
                    if keys.isdisjoint(present):
                        break  # a norm the pattern needs is nowhere in the text
                else:
                    for start in starts:
                        if near and not _fits(near, norms, start, count):
                            continue  # the common miss, decided without a call
                        end = _longest(specs, skip, toks, norms, start + skip)
                        if end is not None and end > start:
                            hits.append((start, index, end))
        if marked is None:
            marks = self.text_test()
            marked = [i for i, tok in enumerate(toks) if marks(tok.text)]
        self._try_anywhere(present, toks, norms, marked, hits)
        hits.sort()
        patterns = self._patterns
        return [(patterns[index].key, start, end) for start, index, end in hits]

    def _try_anywhere(
        self,
        present: set[str],
        toks: Sequence[Tok],
        norms: list[str],
        marked: Sequence[int],
        hits: list[tuple[int, int, int]],
    ) -> None:
        """The patterns whose first token is not a norm: each at every token its head allows
        (a head tested once per token: on the marked tokens only when it tests their text),
        when the text holds every norm the pattern needs."""
        heads: dict[Predicate, list[int]] = {}
        required = self._required
        texts = _Marked(toks, marked)
        for index in self._anywhere:
            for keys in required[index]:
                if keys.isdisjoint(present):
                    break  # a norm the pattern needs is nowhere in the text
            else:
                pattern = self._patterns[index]
                head = pattern.head
                if head is None:
                    self._try(index, range(len(toks)), toks, norms, hits)
                    continue
                allowed = heads.get(head)
                if allowed is None:
                    allowed = heads[head] = _starts(pattern, head, toks, norms, texts)
                self._try(index, allowed, toks, norms, hits)

    def _try(
        self,
        index: int,
        starts: Iterable[int],
        toks: Sequence[Tok],
        norms: list[str],
        hits: list[tuple[int, int, int]],
    ) -> None:
        pattern = self._patterns[index]
        near, specs, count = pattern.near, pattern.specs, len(norms)
        for start in starts:
            if not _fits(near, norms, start, count):
                continue  # the common miss, decided without a call
            end = _longest(specs, 0, toks, norms, start)
            if end is not None and end > start:
                hits.append((start, index, end))


def _starts(
    pattern: _Pattern,
    head: Predicate,
    toks: Sequence[Tok],
    norms: list[str],
    marked: _Marked,
) -> list[int]:
    """The positions, in order, of the tokens `head` (the pattern's) holds for."""
    by_text, scan = pattern.by_text, pattern.scan
    if by_text is None:  # a head of the norm, or of flags: every token is tested
        if scan is not None and scan[1] is not None:  # a test of the norm
            return _where(norms, scan[1])
        return [i for i, tok in enumerate(toks) if head(tok)]
    name, test = by_text
    if scan is not None and scan[1] is None:  # LIKE_NUM: a written number, or a number word
        found = set(marked.where(name, test))
        found.update(_where(norms, _NUMBER_WORDS.__contains__))
        return sorted(found)
    if scan is not None:  # the head is its test of the text
        return marked.where(name, test)
    return [i for i in marked.where(name, test) if head(toks[i])]


class _Marked:
    """The marked tokens' positions and texts (lower-cased too, once a head asks), so that a
    test of their text runs over them in C (`map`, `compress`), not as a call per token."""

    def __init__(self, toks: Sequence[Tok], marked: Sequence[int]) -> None:
        self._at = marked
        self._columns = {"ORTH": [toks[i].text for i in marked]}

    def where(self, name: str, test: Callable[[str], object]) -> list[int]:
        """The marked positions, in order, whose text (ORTH) or its lower case (LOWER) the
        test holds for."""
        values = self._columns.get(name)
        if values is None:
            values = self._columns[name] = [text.lower() for text in self._columns["ORTH"]]
        return list(compress(self._at, map(test, values)))


def _where(values: list[str], test: Callable[[str], object]) -> list[int]:
    """The positions of the values `test` holds for, in order: the test runs over the column
    in C (`map`, `compress`), not as a Python call per token."""
    return list(compress(range(len(values)), map(test, values)))


def _fits(
    near: tuple[tuple[int, int, frozenset[str]], ...], norms: list[str], start: int, count: int
) -> bool:
    """Does every window of `near` hold a token with one of its norms (a necessary condition
    for the pattern to match at `start`)?"""
    for lo, hi, allowed in near:
        first = start + lo
        if first >= count:
            return False
        if lo == hi:  # the common window: one token at a fixed distance
            if norms[first] not in allowed:
                return False
            continue
        for at in range(first, min(start + hi + 1, count)):
            if norms[at] in allowed:
                break
        else:
            return False
    return True


def _longest(
    specs: tuple[_Spec, ...], k: int, toks: Sequence[Tok], norms: list[str], pos: int
) -> int | None:
    """The furthest end position at which specs[k:] match from `pos`, or None."""
    size = len(toks)
    while k < len(specs):
        spec = specs[k]
        if spec.high == spec.low:  # the common case: exactly n tokens, nothing to try
            if pos + spec.low > size:
                return None
            keys = spec.keys
            for at in range(pos, pos + spec.low):
                if not (norms[at] in keys if keys is not None else spec.test(toks[at])):
                    return None
            pos += spec.low
            k += 1
            continue
        limit = size - pos if spec.high < 0 else min(spec.high, size - pos)
        count, top = _reach(spec, toks, norms, pos, limit)
        if count < spec.low:
            return None
        after = specs[k + 1] if k + 1 < len(specs) else None
        need = after.index if after is not None and after.low >= 1 else None
        for used in range(top, count - 1, -1):
            at = pos + used
            if need is not None and (at >= size or norms[at] not in need):
                continue  # the next spec cannot start here: no call to find that out
            end = _longest(specs, k + 1, toks, norms, at)
            if end is not None:
                return end
        return None
    return pos


_SENTENCE_ENDS = frozenset((".", "!", "?", ";"))


def _reach(
    spec: _Spec, toks: Sequence[Tok], norms: list[str], pos: int, limit: int
) -> tuple[int, int]:
    """How many tokens from `pos` a variable-width spec must take (its `low`, or fewer when
    they do not all match) and may take (as many in a row as match, up to `limit`)."""
    if spec.wild:
        # a gap never crosses a sentence's end: "keep failed SKUs. The bucket" is no
        # "failed ... bucket" store
        top = 0
        while top < limit and toks[pos + top].text not in _SENTENCE_ENDS:
            top += 1
        return min(spec.low, top), top
    keys = spec.keys
    top = 0
    if keys is not None:
        while top < limit and norms[pos + top] in keys:
            top += 1
    else:
        while top < limit and spec.test(toks[pos + top]):
            top += 1
    return min(top, spec.low), top
