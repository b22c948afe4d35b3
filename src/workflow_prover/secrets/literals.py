"""Literal analysis of a regex's source, so a detector runs only where it can match.

`prefix_literals(regex)`: lower-cased strings one of which starts every match ("ghp_" for a
GitHub token); `required_literals(regex)`: strings one of which every match contains. The
analysis is conservative: it gives up (None) on any construct it does not model, so a detector
may run needlessly but never misses a match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["fold", "prefix_literals", "required_literals"]

# Lower-casing that keeps every offset: ASCII letters, plus the non-ASCII letters that `re`'s
# IGNORECASE matches against ASCII ones (dotless i, long s, Kelvin sign, dotted capital I).
_FOLD = MappingProxyType(
    {
        **{code: code + 32 for code in range(ord("A"), ord("Z") + 1)},
        0x0131: ord("i"),
        0x017F: ord("s"),
        0x212A: ord("k"),
        0x0130: ord("i"),
    }
)


def fold(text: str) -> str:
    """`text` lower-cased for the literal tests, with every offset kept."""
    folded = text.lower()
    if len(folded) != len(text) or "\u0131" in folded or "\u017f" in folded:
        folded = text.translate(_FOLD)
    return folded


_MIN_LITERAL = 3  # shorter literals occur in almost every text: not worth testing
_MAX_OPTIONS = 32  # beyond this many alternatives, a fragment is treated as unknown text
_ZERO_WIDTH_ESCAPES = frozenset("bBAZ")
_LITERAL_ESCAPES = MappingProxyType(
    {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
)
_QUANTIFIER_RE = re.compile(r"\{(\d*)(,?)(\d*)\}")
_SCOPED_FLAGS_RE = re.compile(r"\?[aiLmsux]*(?:-[imsx]+)?:")
_HEX_ESCAPE_RE = re.compile(r"[0-9a-fA-F]{2}")

Literals = frozenset[str]


class _Unsupported(Exception):
    """A construct the analysis does not model."""


@dataclass(frozen=True, slots=True)
class _Facts:
    options: Literals | None  # the fragment always matches exactly one of these strings
    prefix: Literals | None  # every match of the fragment starts with one of these
    required: Literals | None  # every match of the fragment contains one of these


_UNKNOWN = _Facts(None, None, None)
_EMPTY = _Facts(frozenset({""}), frozenset({""}), None)


def prefix_literals(regex: str) -> tuple[str, ...] | None:
    """Lower-cased strings one of which starts every match of `regex`, or None if unknown.

    Look-arounds are transparent (`ghp_(?<![A-Za-z0-9]....)` starts with "ghp_"). Strings
    shorter than 3 characters are never returned.
    """
    facts = _analyse(regex)
    if facts is None or facts.prefix is None or not _usable(facts.prefix):
        return None
    # Occurrences of "pass" include those of "password": keep the shortest of such prefixes,
    # and collapse a long list to its common start when that is still specific enough.
    prefixes = sorted(facts.prefix)
    kept = [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]
    common = _common_prefix(kept)
    if len(kept) > 8 and len(common) >= _MIN_LITERAL:
        kept = [common]
    return tuple(kept)


def _common_prefix(strings: Sequence[str]) -> str:
    first, last = min(strings), max(strings)  # the sorted extremes differ first
    size = 0
    while size < len(first) and first[size] == last[size]:
        size += 1
    return first[:size]


def required_literals(regex: str) -> tuple[str, ...] | None:
    """Lower-cased strings one of which occurs in every match of `regex`, or None if unknown.

    Models literals, escapes, character classes, groups (named, scoped flags, look-arounds),
    alternation and quantifiers; anything else (global flags, conditionals, back-references)
    makes the answer None. Strings shorter than 3 characters are never returned.
    """
    facts = _analyse(regex)
    best = None if facts is None else _best(facts)
    return None if best is None else tuple(sorted(best))


def _analyse(regex: str) -> _Facts | None:
    try:
        facts, end = _alternation(regex, 0)
    except _Unsupported:
        return None
    return facts if end == len(regex) else None


def _usable(strings: Literals | None) -> bool:
    return bool(strings) and min(map(len, strings or ())) >= _MIN_LITERAL


def _score(strings: Literals) -> tuple[int, int]:
    # Longer literals are rarer, up to a point; then fewer substring tests are cheaper.
    return min(min(map(len, strings)), 6), -len(strings)


def _best(facts: _Facts) -> Literals | None:
    candidates = [
        c for c in (facts.options, facts.prefix, facts.required) if c is not None and _usable(c)
    ]
    return max(candidates, key=_score, default=None)


def _union(parts: Sequence[Literals | None]) -> Literals | None:
    if any(part is None for part in parts):
        return None
    union = frozenset().union(*(part for part in parts if part is not None))
    return union if len(union) <= _MAX_OPTIONS else None


def _concat(left: Literals | None, right: Literals | None) -> Literals | None:
    if left is None or right is None or len(left) * len(right) > _MAX_OPTIONS:
        return None
    return frozenset(a + b for a in left for b in right)


def _alternation(regex: str, index: int) -> tuple[_Facts, int]:
    branches = []
    facts, index = _sequence(regex, index)
    branches.append(facts)
    while index < len(regex) and regex[index] == "|":
        facts, index = _sequence(regex, index + 1)
        branches.append(facts)
    if len(branches) == 1:
        return branches[0], index
    return (
        _Facts(
            _union([branch.options for branch in branches]),
            _union([branch.prefix for branch in branches]),
            _union([_best(branch) for branch in branches]),
        ),
        index,
    )


def _sequence(regex: str, index: int) -> tuple[_Facts, int]:
    whole: Literals | None = frozenset({""})  # what the whole sequence matches, if known
    lead: Literals = frozenset({""})  # how every match starts
    leading = True  # is `lead` still growing?
    run: Literals = frozenset({""})  # what the current stretch of known atoms matches
    candidates: list[Literals] = []
    while index < len(regex) and regex[index] not in "|)":
        atom, index = _atom(regex, index)
        atom, index = _quantified(regex, index, atom)
        whole = _concat(whole, atom.options)
        if leading:
            grown = _concat(lead, atom.options if atom.options is not None else atom.prefix)
            leading = atom.options is not None and grown is not None
            lead = grown if grown is not None else lead
        extended = _concat(run, atom.options)
        if extended is None:
            if atom.prefix is not None and (with_prefix := _concat(run, atom.prefix)):
                candidates.append(with_prefix)
            best = _best(atom)
            if best is not None:
                candidates.append(best)
            run = frozenset({""})
        else:
            run = extended
        candidates.append(run)
    usable = [candidate for candidate in candidates if _usable(candidate)]
    required = max(usable, key=_score, default=None)
    return _Facts(whole, lead, required), index


def _quantified(regex: str, index: int, atom: _Facts) -> tuple[_Facts, int]:
    if index >= len(regex):
        return atom, index
    high: int | None
    if regex[index] in "?*+":
        low, high = {"?": (0, 1), "*": (0, None), "+": (1, None)}[regex[index]]
        index += 1
    elif (bounds := _QUANTIFIER_RE.match(regex, index)) and (bounds.group(1) or bounds.group(3)):
        low = int(bounds.group(1) or 0)
        high = int(bounds.group(3)) if bounds.group(3) else (None if bounds.group(2) else low)
        index = bounds.end()
    else:
        return atom, index
    if index < len(regex) and regex[index] in "?+":
        index += 1  # lazy or possessive
    if low == 0:
        if high == 1 and atom.options is not None:
            optional = _union([atom.options, frozenset({""})])
            return _Facts(optional, optional, None), index
        return _Facts(None, frozenset({""}), None), index  # may match nothing at all
    if low == high and atom.options is not None and low <= 8:
        options: Literals | None = frozenset({""})
        for _ in range(low):
            options = _concat(options, atom.options)
        return _Facts(options, options or atom.prefix, _best(atom)), index
    return _Facts(None, atom.options or atom.prefix, _best(atom)), index


def _atom(regex: str, index: int) -> tuple[_Facts, int]:
    char = regex[index]
    if char == "(":
        return _group(regex, index + 1)
    if char == "[":
        return _char_class(regex, index + 1)
    if char == "\\":
        escaped = regex[index + 1 : index + 2]
        if not escaped:
            raise _Unsupported
        if escaped in _ZERO_WIDTH_ESCAPES:
            return _EMPTY, index + 2
        if escaped in _LITERAL_ESCAPES:
            return _literal(_LITERAL_ESCAPES[escaped]), index + 2
        if escaped == "x" and _HEX_ESCAPE_RE.fullmatch(regex, index + 2, index + 4):
            return _literal(chr(int(regex[index + 2 : index + 4], 16))), index + 4
        if escaped.isalnum():
            return _UNKNOWN, index + 2  # \d, \s, \w, back-references, \u escapes...
        return _literal(escaped), index + 2
    if char == ".":
        return _UNKNOWN, index + 1
    if char in "^$":
        return _EMPTY, index + 1
    if char in "*+?{":
        raise _Unsupported  # a quantifier with nothing to repeat, or a literal brace
    return _literal(char), index + 1


def _literal(char: str) -> _Facts:
    folded = fold(char)
    if len(folded) != 1 or not folded.isascii():
        return _UNKNOWN  # a non-ASCII letter may match other case forms
    options = frozenset({folded})
    return _Facts(options, options, None)


def _group(regex: str, index: int) -> tuple[_Facts, int]:
    zero_width = False
    if regex.startswith("?", index):
        if regex.startswith(("?:", "?=", "?!"), index):
            zero_width = regex[index + 1] != ":"
            index += 2
        elif regex.startswith(("?<=", "?<!"), index):
            zero_width = True
            index += 3
        elif regex.startswith("?P<", index):
            index = regex.index(">", index) + 1
        elif flags := _SCOPED_FLAGS_RE.match(regex, index):
            index = flags.end()  # literals are lower-cased anyway
        else:
            raise _Unsupported  # global flags, conditionals, comments, back-references
    if zero_width:
        return _EMPTY, _skip_group(regex, index)
    facts, index = _alternation(regex, index)
    if index >= len(regex) or regex[index] != ")":
        raise _Unsupported
    return facts, index + 1


def _skip_group(regex: str, index: int) -> int:
    """The index after the `)` closing the group whose body starts at `index`."""
    depth = 1
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _char_class(regex, index + 1)[1]
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise _Unsupported


def _char_class(regex: str, index: int) -> tuple[_Facts, int]:
    negated = regex.startswith("^", index)
    end = index + 1 if negated else index
    members: list[str] = []
    if regex.startswith("]", end):
        members.append("]")
        end += 1
    while end < len(regex) and regex[end] != "]":
        if regex[end] == "\\":
            members.append(regex[end : end + 2])
            end += 2
        else:
            members.append(regex[end])
            end += 1
    if end >= len(regex):
        raise _Unsupported
    ranged = "-" in members[1:-1]
    if negated or ranged or any(len(m) != 1 or not m.isascii() for m in members):
        return _UNKNOWN, end + 1
    options = frozenset(fold("".join(members)))
    if len(options) > 8:
        return _UNKNOWN, end + 1
    return _Facts(options, options, None), end + 1
