"""Suppressions: findings a team has decided do not apply, with the reason written down.

In a document: `<!-- prover: ignore NO_ROTATION -- keys are rotated by the platform team -->`
(several codes may be listed, separated by spaces or commas), or a whole-line comment
`# prover: ignore CODE -- reason` (for YAML). On the command line: `--ignore CODE`.

A suppressed finding stays in the report, marked `suppressed` with its reason, and no longer
counts towards the verdict or its check's status. A marker without a reason suppresses nothing
and is itself reported (a note), as is a marker naming an unknown code or `SECRET_IN_TEXT`
(a leaked secret must be removed and rotated, not ignored). Markers are hidden from the prose
reader, so "keys are rotated by the platform team" is the reason, not a claim about rotation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from workflow_prover.codes import CODES, NOTES, UNSUPPRESSIBLE
from workflow_prover.models import Evidence, Note
from workflow_prover.secrets import Redaction

_HTML = re.compile(r"<!--[ \t]*prover[ \t]*:[ \t]*ignore\b(?P<body>.*?)-->", re.IGNORECASE | re.S)
_LINE = re.compile(
    r"^[ \t]*(?:#|//)[ \t]*prover[ \t]*:[ \t]*ignore\b(?P<body>[^\n]*)$", re.IGNORECASE | re.M
)
_SEPARATOR = re.compile(r"\s--\s?|\s\u2014\s?|\s--$|\s\u2014$")
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
RULE = "marker.ignore"


def command_line_reason(code: str) -> str:
    return f"ignored on the command line (--ignore {code})"


@dataclass(frozen=True, slots=True)
class Marker:
    start: int  # the whole marker, offsets into the original text
    end: int
    codes: tuple[str, ...]
    reason_start: int | None  # the reason's span (None: no reason given)
    reason_end: int | None


def find_markers(text: str) -> list[Marker]:
    found: list[Marker] = []
    for pattern in (_HTML, _LINE):
        for match in pattern.finditer(text):
            body_start, body_end = match.span("body")
            found.append(_marker(text, match.start(), match.end(), body_start, body_end))
    found.sort(key=lambda m: m.start)
    return [m for i, m in enumerate(found) if i == 0 or m.start >= found[i - 1].end]


def _marker(text: str, start: int, end: int, body_start: int, body_end: int) -> Marker:
    body = text[body_start:body_end]
    split = _SEPARATOR.search(body)
    codes_text = body if split is None else body[: split.start()]
    codes = tuple(c.upper() for c in _CODE.findall(codes_text))
    if split is None:
        return Marker(start, end, codes, None, None)
    reason_start = body_start + split.end()
    reason_end = body_end
    reason = text[reason_start:reason_end]
    if not reason.strip():
        return Marker(start, end, codes, None, None)
    reason_start += len(reason) - len(reason.lstrip())
    reason_end -= len(reason) - len(reason.rstrip())
    return Marker(start, end, codes, reason_start, reason_end)


def resolve(
    markers: Iterable[Marker], redaction: Redaction, turn: int = 1
) -> tuple[dict[str, str], list[Note]]:
    """Codes to suppress (code -> reason, redacted), and notes about unusable markers."""
    suppress: dict[str, str] = {}
    notes: list[Note] = []
    for marker in markers:
        evidence = Evidence(
            text=redaction.redacted_span(marker.start, marker.end),
            start=marker.start,
            end=marker.end,
            rule=RULE,
            turn=turn,
        )
        reason = None
        if marker.reason_start is not None and marker.reason_end is not None:
            reason = " ".join(
                redaction.redacted_span(marker.reason_start, marker.reason_end).split()
            )
        invalid = [c for c in marker.codes if c not in CODES or c in UNSUPPRESSIBLE]
        valid = [c for c in marker.codes if c not in invalid]
        if invalid or not marker.codes:
            named = ", ".join(c[:40] for c in invalid) or "no code"
            notes.append(
                _note(
                    "IGNORE_INVALID",
                    f"The ignore marker names {named}: nothing to suppress there.",
                    evidence,
                )
            )
        if valid and reason is None:
            notes.append(
                _note(
                    "IGNORE_WITHOUT_REASON",
                    f"The ignore marker for {', '.join(valid)} "
                    "gives no reason, so it suppresses nothing.",
                    evidence,
                )
            )
        elif valid and reason is not None:
            for code in valid:
                suppress[code] = reason
    return suppress, notes


def _note(code: str, message: str, evidence: Evidence) -> Note:
    assert code in NOTES
    return Note(code=code, message=message, evidence=(evidence,))
