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

from workflow_prover.lexicon.schema import CredentialLabelRow, SecretRow
from workflow_prover.normalize import Normalizer
from workflow_prover.secrets.fields import FIELD_RULE, FieldSecrets
from workflow_prover.secrets.literals import fold, prefix_literals, required_literals
from workflow_prover.secrets.redaction import Redaction, SecretMatch, placeholder

__all__ = ["PLACEHOLDER_RULE", "SecretScanner", "load_secret_rows"]

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
    | ^[A-Za-z_]{1,30}[0-9]{0,2}(?:\.[A-Za-z_]{1,30}[0-9]{0,2})+$   # settings.api_key, no JWT
    | ^[a-z]+(?:[A-Z][a-z]+)+$                                  # camelCaseVariable
    | (?i: process\.env | os\.environ | getenv | \benv[.\[:] | \.env\b | vault: | arn:aws
         | \bssm: | op:// | keyvault | secretsmanager | secretkeyref | valuefrom | ://
         | your[_-]? | _here\b | -here\b | (?:key|token|secret|password)_?here\b
         | replace[_-]?me | redacted | placeholder
         | example | dummy | sample )
    | [xX]{5,} | [*\u2022\u00b7]{3,} | \.\.\. | \u2026               # mask or elision
    """,
    re.VERBOSE,
)
_DIGIT_RE = re.compile(r"[0-9]")


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


def _is_reference(text: str, start: int, end: int) -> bool:
    """Is `text[start:end]` a template, reference, mask or elided prefix rather than a secret?"""
    value = text[start:end]
    if _REFERENCE_RE.search(value):
        return True
    # "sk_live_…", "ghp_...": a prefix shown as an example, with the secret part elided.
    return text.startswith(("\u2026", "..."), end) and not _DIGIT_RE.search(value)


class SecretScanner:
    """Finds and redacts literal secrets.

    Three sources: the detectors of `lexicons/secrets.jsonl` (vendors' key shapes and labels),
    random-looking values in credential positions (`secrets.fields`, with the words of
    `lexicons/credential_labels.jsonl`), and, for text that is not plain ASCII, the same two
    run again over its normalised form (a key split by a zero-width space or written in
    fullwidth), mapped back to the text.
    """

    __slots__ = (
        "_always",
        "_field_index",
        "_fields",
        "_finders",
        "_kinds",
        "_normalizer",
        "_rules",
        "_users",
    )

    def __init__(
        self,
        rows: Sequence[SecretRow],
        labels: Sequence[CredentialLabelRow] = (),
        normalizer: Normalizer | None = None,
    ) -> None:
        rules = tuple(_compile(row) for row in rows)
        self._fields = FieldSecrets(labels)
        self._normalizer = normalizer
        # (kind, rule id) per detection index: the rows, then one per positional kind
        field_kinds = sorted({row.kind or "api_key" for row in labels if row.kind})
        self._kinds = tuple((rule.kind, rule.id) for rule in rules) + tuple(
            (kind, FIELD_RULE) for kind in field_kinds
        )
        self._field_index = {kind: len(rules) + i for i, kind in enumerate(field_kinds)}
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
        placeholders = (
            [
                SecretMatch(hit.group(1), PLACEHOLDER_RULE, hit.start(), hit.end())
                for hit in _PLACEHOLDER_RE.finditer(text)
            ]
            if "[REDACTED:" in text
            else []
        )
        placeholder_ends = [match.end for match in placeholders]
        found: list[tuple[int, int, int]] = []
        for start, end, index in self._detect(text):
            after = bisect_right(placeholder_ends, start)  # first placeholder ending later
            if after < len(placeholders) and placeholders[after].start < end:
                continue  # an existing placeholder stays as it is
            found.append((start, end, index))
        if not found:
            return tuple(placeholders)
        merged = [
            SecretMatch(*self._kinds[index], start, end) for start, end, index in _merge(found)
        ]
        return tuple(sorted(placeholders + merged, key=lambda match: match.start))

    def _detect(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, detection index) of every secret, in the text and its normal form."""
        found = self._detect_plain(text)
        if self._normalizer is not None and not text.isascii():
            normal = self._normalizer.normalize(text)
            if normal.text != text:
                found += [(*normal.span(s, e), i) for s, e, i in self._detect_plain(normal.text)]
        return found

    def _detect_plain(self, text: str) -> list[tuple[int, int, int]]:
        occurrences = self._occurrences(fold(text))
        active = set(self._always)
        for literal in occurrences:
            active |= self._users[literal]
        found: list[tuple[int, int, int]] = []
        for index in sorted(active):
            rule = self._rules[index]
            for hit in _hits(rule, text, occurrences):
                start, end = hit.span(rule.group)
                if start < end and not _is_reference(text, start, end):
                    found.append((start, end, index))
        for field in self._fields.find(text):
            if not _is_reference(text, field.start, field.end):
                found.append((field.start, field.end, self._field_index[field.kind]))
        return found

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
