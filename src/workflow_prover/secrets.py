"""Literal-secret scanner and redactor (rubric 2.4, `SECRET_IN_TEXT`).

The detectors are data: each row of `lexicons/secrets.jsonl` is a `SecretRow` whose `regex`
finds one kind of literal secret and whose `group` says which capture group is the secret
value. This module compiles the rows and applies three generic rules to every match:

- a value that is a template or a reference (`${TOKEN}`, `<your-token>`, `{{ secrets.X }}`,
  `$DB_PASSWORD`, `os.environ[...]`, `settings.API_KEY`, `/run/secrets/db`, `***`,
  `sk_live_xxxxxxxx`, an AWS `...EXAMPLE` key, an elided `sk_live_…`) is not a secret;
- overlapping matches are merged into one redaction whose kind is that of the longest match
  (then the earliest, then the first row in the file), so no secret character is left over
  and nothing is redacted twice;
- an existing placeholder `[REDACTED:<kind>]` (text redacted earlier, e.g. a stored session
  turn) is reported as a match of that kind under the rule `secret.placeholder` and left as
  it is, so redacted text analysed again still reports the leak and redaction is idempotent.

Speed (this runs on every call of a chat loop): when the scanner is built, each regex is
analysed for the literals its matches must start with (`prefix_literals`: "ghp_" for a GitHub
token, "ken" for the token label) or, failing that, must contain (`required_literals`).
`scan` lower-cases the text once, finds every occurrence of every literal (one alternation per
first character, which `re` scans for in C), and runs a detector only where its literals occur:
`pattern.match` at each occurrence of a prefix, or `finditer` over the text when only a
contained literal is known. A detector without either always runs.
The analysis is conservative (it gives up on any construct it does not model), so it can make a
detector run needlessly but never miss a match.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from pydantic import ValidationError

from workflow_prover.lexicon.schema import SecretRow

__all__ = [
    "PLACEHOLDER_RULE",
    "Redaction",
    "SecretMatch",
    "SecretScanner",
    "load_secret_rows",
    "placeholder",
    "prefix_literals",
    "required_literals",
]

PLACEHOLDER_RULE = "secret.placeholder"

_PLACEHOLDER_RE = re.compile(r"\[REDACTED:([a-z0-9_]{1,80})\]")

# A value that only refers to a secret, or stands in for one, is not a literal secret.
_REFERENCE_RE = re.compile(
    r"""
    ^(?: \$[{(] | \$[A-Za-z_][A-Za-z0-9_]*$ | \$env: | %\( | %[A-Za-z_][A-Za-z0-9_]*%$
       | [<\[{(] | ![A-Za-z] | [*&][A-Za-z_] )                  # template, YAML tag or alias
    | \{\{ | \}\} | \$\{ | \(                                    # template or code expression
    | ^(?:~|\.{1,2})/                                           # relative path
    | ^/[a-z0-9._-]{1,64}(?:/[a-z0-9._-]{1,64})+$               # absolute path: /run/secrets/db
    | ^[^\s/]{0,100}/\S{0,200}\.(?i:ya?ml|json|env|txt|pem|key|ini|toml|cfg|conf|py|js|ts)$
    | ^[a-z][a-z0-9_.-]*(?:/[a-z0-9_.-]+)+$ | (?:^|/)secrets?/ | ^projects/   # a secret's path
    | ^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$                           # ENV_VAR_NAME
    | ^[A-Za-z_][A-Za-z0-9_]{0,31}(?:\.[A-Za-z_][A-Za-z0-9_]{0,31})+$   # settings.api_key
    | ^[a-z]+(?:[A-Z][a-z]+)+$                                  # camelCaseVariable
    | (?i: process\.env | os\.environ | getenv | \benv[.\[:] | \.env\b | vault: | arn:aws
         | \bssm: | op:// | keyvault | secretsmanager | secretkeyref | valuefrom | ://
         | your[_-] | _here\b | -here\b | replace[_-]?me | redacted | placeholder
         | example | dummy | sample )
    | [xX]{5,} | [*\u2022\u00b7]{3,} | \.\.\. | \u2026               # mask or elision
    """,
    re.VERBOSE,
)
_DIGIT_RE = re.compile(r"[0-9]")

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


def placeholder(kind: str) -> str:
    """The text that replaces a secret of `kind`."""
    return f"[REDACTED:{kind}]"


@dataclass(frozen=True, slots=True)
class SecretMatch:
    """One literal secret (or an existing placeholder) found in a text."""

    kind: str  # e.g. "stripe_key"; the placeholder is `[REDACTED:<kind>]`
    rule: str  # the SecretRow id that fired, or "secret.placeholder"
    start: int  # offsets into the text that was scanned
    end: int


@dataclass(frozen=True, slots=True)
class Redaction:
    """A text with every secret replaced by its placeholder, and the way back to the original."""

    original: str
    text: str  # redacted text
    matches: tuple[SecretMatch, ...]  # offsets into `original`, sorted, non-overlapping

    def to_original(self, offset: int) -> int:
        """Map an offset in `text` to `original`.

        Monotonic. An offset inside a placeholder maps to the start of the secret it replaced;
        an offset after it is shifted by the difference in length.
        """
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} is outside the redacted text (0..{len(self.text)})")
        shift = 0  # redacted offset minus original offset, after the matches passed so far
        for match in self.matches:
            text_start = match.start + shift
            if offset < text_start:
                break
            text_end = text_start + len(placeholder(match.kind))
            if offset < text_end:
                return match.start
            shift = text_end - match.end
        return offset - shift

    def redacted_span(self, start: int, end: int) -> str:
        """The redacted text for the span `start:end` of `original`.

        A span that overlaps a secret gets its whole placeholder, never a secret character.
        """
        if not 0 <= start <= end <= len(self.original):
            raise ValueError(
                f"span {start}:{end} is outside the original text (0..{len(self.original)})"
            )
        if start == end:
            return ""
        return self.text[self._to_text(start, is_end=False) : self._to_text(end, is_end=True)]

    def _to_text(self, offset: int, *, is_end: bool) -> int:
        """Map an original offset to `text`, widening to whole placeholders."""
        shift = 0
        for match in self.matches:
            if offset < match.start or (is_end and offset == match.start):
                break
            text_start = match.start + shift
            text_end = text_start + len(placeholder(match.kind))
            if offset < match.end or (is_end and offset == match.end):
                return text_end if is_end else text_start
            shift = text_end - match.end
        return offset + shift


@dataclass(frozen=True, slots=True)
class _Rule:
    id: str
    kind: str
    pattern: re.Pattern[str]
    group: int
    prefixes: tuple[str, ...] | None  # lower-cased literals every match starts with
    gate: tuple[str, ...] | None  # lower-cased literals one of which every match contains


def _pattern(row: SecretRow) -> re.Pattern[str]:
    """The compiled regex of a valid row; `ValueError` names what is wrong."""
    if row.id == PLACEHOLDER_RULE:
        raise ValueError(f"{row.id}: this rule id is reserved for existing placeholders")
    try:
        pattern = re.compile(row.regex)
    except re.error as exc:
        raise ValueError(f"{row.id}: invalid regex: {exc}") from exc
    if row.group > pattern.groups:
        raise ValueError(f"{row.id}: group {row.group} but the regex has {pattern.groups} group(s)")
    return pattern


def _compile(row: SecretRow) -> _Rule:
    pattern = _pattern(row)
    prefixes = prefix_literals(row.regex)
    gate = None if prefixes is not None else required_literals(row.regex)
    return _Rule(row.id, row.kind, pattern, row.group, prefixes, gate)


def _fold(text: str) -> str:
    """`text` lower-cased for the literal tests, with every offset kept."""
    folded = text.lower()
    if len(folded) != len(text) or "\u0131" in folded or "\u017f" in folded:
        folded = text.translate(_FOLD)
    return folded


def _is_reference(text: str, start: int, end: int) -> bool:
    """Is `text[start:end]` a template, reference, mask or elided prefix rather than a secret?"""
    value = text[start:end]
    if _REFERENCE_RE.search(value):
        return True
    # "sk_live_…", "ghp_...": a prefix shown as an example, with the secret part elided.
    return text.startswith(("\u2026", "..."), end) and not _DIGIT_RE.search(value)


class SecretScanner:
    """Finds and redacts literal secrets with the detectors of `lexicons/secrets.jsonl`."""

    __slots__ = ("_always", "_finders", "_rules", "_users")

    def __init__(self, rows: Sequence[SecretRow]) -> None:
        rules = tuple(_compile(row) for row in rows)
        seen: set[str] = set()
        users: dict[str, set[int]] = {}
        always: list[int] = []
        for index, rule in enumerate(rules):
            if rule.id in seen:
                raise ValueError(f"{rule.id}: duplicate secret rule id")
            seen.add(rule.id)
            literals = rule.prefixes or rule.gate
            if literals is None:
                always.append(index)
            for literal in literals or ():
                users.setdefault(literal, set()).add(index)
        self._rules = rules
        self._always = frozenset(always)
        self._users = MappingProxyType({key: frozenset(value) for key, value in users.items()})
        # One alternation per first character: `re` skips to that character in C, then tries
        # the literals that start with it, longest first.
        by_first: dict[str, list[str]] = {}
        for literal in sorted(users, key=lambda item: (-len(item), item)):
            by_first.setdefault(literal[0], []).append(literal)
        self._finders = tuple(
            _Finder(
                re.compile("|".join(map(re.escape, literals))),
                MappingProxyType(
                    {
                        literal: tuple(other for other in literals if literal.startswith(other))
                        for literal in literals
                    }
                ),
            )
            for literals in by_first.values()
        )

    def scan(self, text: str) -> tuple[SecretMatch, ...]:
        """The secrets in `text`, sorted by offset, overlapping detections merged."""
        occurrences = self._occurrences(_fold(text))
        active = set(self._always)
        for literal in occurrences:
            active |= self._users[literal]
        placeholders = (
            [
                SecretMatch(hit.group(1), PLACEHOLDER_RULE, hit.start(), hit.end())
                for hit in _PLACEHOLDER_RE.finditer(text)
            ]
            if "[REDACTED:" in text
            else []
        )
        placeholder_ends = [match.end for match in placeholders]
        # (start, end, rule index) of every detection outside a placeholder
        found: list[tuple[int, int, int]] = []
        for index in sorted(active):
            rule = self._rules[index]
            for hit in _hits(rule, text, occurrences):
                start, end = hit.span(rule.group)
                if start >= end or _is_reference(text, start, end):
                    continue
                after = bisect_right(placeholder_ends, start)  # first placeholder ending later
                if after < len(placeholders) and placeholders[after].start < end:
                    continue  # an existing placeholder stays as it is
                found.append((start, end, index))
        if not found:
            return tuple(placeholders)
        merged = [
            SecretMatch(self._rules[index].kind, self._rules[index].id, start, end)
            for start, end, index in _merge(found)
        ]
        return tuple(sorted(placeholders + merged, key=lambda match: match.start))

    def redact(self, text: str) -> Redaction:
        """`text` with every secret replaced by `[REDACTED:<kind>]`."""
        matches = self.scan(text)
        if not matches:
            return Redaction(text, text, ())
        parts: list[str] = []
        position = 0
        for match in matches:
            parts.append(text[position : match.start])
            parts.append(placeholder(match.kind))
            position = match.end
        parts.append(text[position:])
        return Redaction(text, "".join(parts), matches)

    def _occurrences(self, folded: str) -> dict[str, list[int]]:
        """Every position of every detector literal in the lower-cased text."""
        occurrences: dict[str, list[int]] = {}
        for finder in self._finders:
            hit = finder.pattern.search(folded)
            while hit is not None:
                position = hit.start()
                # the longest literal found here, and the shorter ones it starts with
                for literal in finder.starting_with[hit.group()]:
                    occurrences.setdefault(literal, []).append(position)
                hit = finder.pattern.search(folded, position + 1)
        return occurrences


@dataclass(frozen=True, slots=True)
class _Finder:
    pattern: re.Pattern[str]  # alternation of literals sharing a first character
    starting_with: MappingProxyType[str, tuple[str, ...]]  # literal -> its prefixes in the set


def _hits(rule: _Rule, text: str, occurrences: dict[str, list[int]]) -> list[re.Match[str]]:
    """The matches `rule.pattern.finditer(text)` gives, trying only where they can start."""
    if rule.prefixes is None:
        return list(rule.pattern.finditer(text))
    starts = sorted(
        {position for prefix in rule.prefixes for position in occurrences.get(prefix, ())}
    )
    hits: list[re.Match[str]] = []
    resume = 0  # like finditer: matches of one rule do not overlap
    for position in starts:
        if position < resume:
            continue
        hit = rule.pattern.match(text, position)
        if hit is not None:
            hits.append(hit)
            resume = max(hit.end(), position + 1)
    return hits


def _merge(found: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Merge overlapping detections into (start, end, rule index of the longest, earliest one)."""
    found.sort(key=lambda item: (item[0], -item[1], item[2]))
    merged: list[tuple[int, int, int]] = []
    start, end, best = found[0]
    best_key = (start - end, start, best)
    for item_start, item_end, index in found[1:]:
        if item_start < end:
            end = max(end, item_end)
            key = (item_start - item_end, item_start, index)
            if key < best_key:
                best, best_key = index, key
            continue
        merged.append((start, end, best))
        start, end, best = item_start, item_end, index
        best_key = (start - end, start, best)
    merged.append((start, end, best))
    return merged


def load_secret_rows(path: Path) -> list[SecretRow]:
    """Parse `secrets.jsonl`; a bad row raises `ValueError` naming `file:line`."""
    rows: list[SecretRow] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                row = SecretRow.model_validate(json.loads(line))
                _pattern(row)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{where}: not valid JSON: {exc.msg}") from exc
            except ValidationError as exc:
                raise ValueError(f"{where}: invalid secret row: {exc}") from exc
            except (ValueError, re.error) as exc:
                raise ValueError(f"{where}: {exc}") from exc
            if row.id in seen:
                raise ValueError(f"{where}: duplicate id {row.id!r} (first on line {seen[row.id]})")
            seen[row.id] = number
            rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------
# Literal analysis of a regex's source: which lower-cased strings every match starts with, or
# contains. It gives up (None) on any construct it does not model.

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
    folded = _fold(char)
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
    options = frozenset(_fold("".join(members)))
    if len(options) > 8:
        return _UNKNOWN, end + 1
    return _Facts(options, options, None), end + 1
