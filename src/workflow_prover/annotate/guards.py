"""Cheap pre-tests for the tokenizer's affix regexes, derived from the regexes themselves.

spaCy's tokenizer calls `suffix_search` and `infix_finditer` on every whitespace chunk it
has not cached, and its cache is off for the rest of a text once a special case has been
seen in it (spaCy issue #1250), so on most texts they run on almost every word. The suffix
regex (`(?:A$|B$|...)`, searched) tries its hundred alternatives at every position of the
word, 5-8 us a word; the infix regex, with lookbehinds in every branch, about as much.

Most words cannot match either. A suffix match ends at the word's end, so only the rules
that can end with the word's last character can match: one regex per such set of rules is
compiled once, and a word is searched with its last character's. A prefix match starts at
the word's start, so a word whose first character no prefix starts with is not searched. An
infix match at position i needs a character at i that some rule can start with (its first
character, or its lookahead's), and spaCy ignores an infix at position 0, so a word with no
such character after its first is not searched. The characters are read off the parsed
rules (Python's own regex parser), so a lexicon or spaCy update cannot make them stale;
where a rule's ends cannot be read (an optional or unanchored part, a negated class, a
category, a case flag), that rule is always tried. Nothing here depends on the text seen:
every guard is built from the rules alone, once per pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser as _p  # type: ignore[attr-defined]
from typing import Any, TypeVar

_Chars = set[int]
_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)
_CASE_FLAGS = re.IGNORECASE | re.LOCALE


def _charset(op: Any, av: Any) -> _Chars | None:
    """The characters one consuming item can match, or None if not a plain set."""
    if op is _c.LITERAL:
        return {av}
    if op is not _c.IN:
        return None
    out: _Chars = set()
    for kind, value in av:
        if kind is _c.LITERAL:
            out.add(value)
        elif kind is _c.RANGE:
            out.update(range(value[0], value[1] + 1))
        else:  # NEGATE, CATEGORY: not a finite set worth listing
            return None
    return out


def _end_chars(seq: Any, first: bool) -> _Chars | None:
    """The characters a match of `seq` can start (`first`) or end with; None when unknown
    or when `seq` can match the empty string."""
    items = list(seq) if first else list(reversed(list(seq)))
    for op, av in items:
        if op in _ZERO_WIDTH:
            if first and op is _c.ASSERT and av[0] == 1:  # a lookahead at the start
                ahead = _end_chars(av[1], first=True)
                if ahead is not None:
                    return ahead
            continue
        return _item_chars(op, av, first)
    return None


def _item_chars(op: Any, av: Any, first: bool) -> _Chars | None:
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, _, sub = av
        return _end_chars(sub, first) if low >= 1 else None
    if op is _c.SUBPATTERN:
        _, add_flags, _, sub = av
        return None if add_flags & _CASE_FLAGS else _end_chars(sub, first)
    if op is _c.BRANCH:
        out: _Chars = set()
        for branch in av[1]:
            chars = _end_chars(branch, first)
            if chars is None:
                return None
            out |= chars
        return out
    return _charset(op, av)


_BEGIN = (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING)
_END = (_c.AT_END, _c.AT_END_STRING)


def _anchored(seq: Any, first: bool) -> bool:
    """Whether every match of `seq` starts at the string's start (`first`) or ends at its end."""
    items = list(seq)
    if not items:
        return False
    op, av = items[0] if first else items[-1]
    if op is _c.AT:
        return av in (_BEGIN if first else _END)
    if op is _c.SUBPATTERN:
        return _anchored(av[3], first)
    if op is _c.BRANCH:
        return all(_anchored(branch, first) for branch in av[1])
    return False


def _chars_of(pattern: str, flags: int, first: bool, anchored: bool = True) -> set[str] | None:
    """The characters a match of `pattern` can start or end with, or None when unknown;
    with `anchored`, None too unless every match starts at the start (or ends at the end)."""
    if flags & (_CASE_FLAGS | re.MULTILINE):
        return None
    parsed = _p.parse(pattern, flags)
    if anchored and not _anchored(parsed, first):
        return None
    chars = _end_chars(parsed, first)
    return None if chars is None else {chr(c) for c in chars}


def _of(pattern: object, first: bool, anchored: bool = True) -> frozenset[str] | None:
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return None
    chars = _chars_of(pattern.pattern, pattern.flags, first, anchored)
    return None if chars is None else frozenset(chars)


Search = Callable[[str], "re.Match[str] | None"]


def _plain_flags(compiled: object) -> bool:
    """Whether the joined rules carry no flag of their own: a global `(?i)` at the start of
    the first rule applies to all of them, which reading each rule alone would miss."""
    return getattr(compiled, "flags", None) == re.UNICODE


def guarded_suffix(entries: Iterable[str], compile_rules: Callable[[list[str]], Any]) -> Search:
    """The `search` of `compile_rules(entries)` (spaCy's `compile_suffix_regex`), run only
    with the entries that can end with the word's last character.

    A suffix match ends at the word's end, so an entry none of whose matches ends in that
    character cannot match; leaving it out (the others in their order) changes no result.
    One regex is compiled per distinct set of entries, for the characters that select it;
    an entry whose last characters cannot be read (not anchored, optional end) is in all.
    """
    rules = [e for e in entries if e.strip()]
    ends = [_chars_of(e + "$", 0, first=False) for e in rules]
    compiled_rules = compile_rules(rules)
    full: Search = compiled_rules.search
    if not _plain_flags(compiled_rules):
        return full
    every = [e for e, chars in zip(rules, ends, strict=True) if chars is None]
    compiled: dict[tuple[str, ...], Search] = {}
    by_char: dict[str, Search] = {}
    for char in set().union(*(c for c in ends if c is not None)):
        chosen = tuple(e for e, c in zip(rules, ends, strict=True) if c is None or char in c)
        if chosen not in compiled:
            compiled[chosen] = compile_rules(list(chosen)).search
        by_char[char] = compiled[chosen]
    rest: Search | None = compile_rules(every).search if every else None
    pick = by_char.get

    def suffix_search(text: str) -> re.Match[str] | None:
        # `$` also matches before a final newline: chunks hold none, but stay exact
        if not text or text[-1] == "\n":
            return full(text)
        search = pick(text[-1], rest)
        return None if search is None else search(text)

    return _serialisable(suffix_search, full)


Finditer = Callable[[str], "Iterator[re.Match[str]] | tuple[()]"]


def guarded_infix(entries: Iterable[str], compile_rules: Callable[[list[str]], Any]) -> Finditer:
    """The `finditer` of `compile_rules(entries)` (spaCy's `compile_infix_regex`), run only
    with the entries that can start at one of the word's characters, and not at all when no
    character after the first can start one (spaCy ignores an infix at position 0).

    An entry that cannot start at any character of the word matches nowhere in it, so
    leaving it out (the others in their order) changes no match. The regex for the set of
    entries each character selects is compiled once (18 regexes for the rules of 2026-12);
    a word whose characters select two different sets is searched with all the entries
    (compiling every pair as well cost 1.3 s of build for 0.06 ms a text). If an entry's
    first characters cannot be read (a zero-width start, an optional part), every word is
    searched with all the entries: such an entry may match anywhere.
    """
    rules = [e for e in entries if e.strip()]
    starts = [_chars_of(e, 0, first=True, anchored=False) for e in rules]
    compiled_rules = compile_rules(rules)
    full: Finditer = compiled_rules.finditer
    if not rules or not _plain_flags(compiled_rules) or any(c is None for c in starts):
        return full  # an entry that may start at any character: no word can be skipped
    masks: dict[str, int] = {}
    for k, chars in enumerate(starts):
        for char in chars or ():
            masks[char] = masks.get(char, 0) | 1 << k
    first_chars = frozenset(masks)
    by_mask: dict[int, Finditer] = {
        mask: compile_rules([e for k, e in enumerate(rules) if mask >> k & 1]).finditer
        for mask in set(masks.values())
    }
    none_in = first_chars.isdisjoint
    present = first_chars.intersection

    def infix_finditer(text: str) -> Iterator[re.Match[str]] | tuple[()]:
        if none_in(text[1:]):
            return ()
        mask = 0
        for char in present(text):
            mask |= masks[char]
        return by_mask.get(mask, full)(text)

    return _serialisable(infix_finditer, full)


def guarded_prefix(search: Search) -> Search:
    """`search` of a prefix regex (`^(?:...)`), skipped for words whose first character no
    prefix starts with."""
    starts = _of(getattr(search, "__self__", None), first=True)
    if starts is None:
        return search

    def prefix_search(text: str) -> re.Match[str] | None:
        if text and text[0] not in starts:
            return None
        return search(text)

    return _serialisable(prefix_search, search)


_F = TypeVar("_F", bound=Callable[..., Any])


def _serialisable(guarded: _F, plain: Callable[..., Any]) -> _F:
    """The guarded function with the plain regex as its `__self__`, as a regex's bound method
    has: spaCy's `Tokenizer.to_bytes` stores `fn.__self__.pattern`, and a tokenizer loaded from
    those bytes (the plain regexes, no guards) splits every word the same."""
    setattr(guarded, "__self__", getattr(plain, "__self__", None))  # noqa: B010
    return guarded
