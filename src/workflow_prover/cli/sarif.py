"""SARIF 2.1.0 output, for CI: GitHub code scanning and any other SARIF viewer.

One run; one rule per finding code and per note code (its title, help text, default level
and `helpUri`, the code's page in `docs/rules/`; the driver's `informationUri` is the
repository); one result per finding and per note, located by line and column in its file (columns
count Unicode code points, as `columnKind` says) and, inside a schema, by the element's JSON
pointer (a logical location). `level` follows the severity: a blocker is an `error`, a
warning a `warning`. A suppressed finding keeps its result with a `suppressions` entry: `inSource`
for an ignore marker in the document, `external` for `--ignore`. Fingerprints hash what the
finding is about (file, code, step and service, the element's pointer or the quoted words),
never offsets, so they survive edits elsewhere in the file; with `--baseline`, each finding's
result has `baselineState` (`unchanged`: its fingerprint is in the baseline; `new`).

Everything quoted (`snippet`, messages) is the report's redacted text.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import quote

from workflow_prover import __version__
from workflow_prover.codes import CODES, NOTES
from workflow_prover.models import Evidence, Finding, Note, Report
from workflow_prover.rules.links import REPOSITORY, help_uri
from workflow_prover.suppress import command_line_reason

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL = "workflow-prover"
FINGERPRINT = "workflowProver/v1"
_LEVEL = {"blocker": "error", "warning": "warning"}
_STDIN_URI = "stdin"
_SNIPPET_CHARS = 400
# Findings about a mechanism that is there but wrong: the mechanism's own words (the last
# evidence) are the place to fix; other findings are about the step (the first evidence).
_AT_MECHANISM = frozenset(
    {
        "ERRORS_SWALLOWED",
        "UNSTABLE_IDEMPOTENCY_KEY",
        "NON_EXPONENTIAL_RETRY",
        "NO_JITTER",
        "UNBOUNDED_RETRIES",
        "RETRY_AFTER_IGNORED",
        "HARDCODED_CREDENTIAL",
        "NO_ROTATION",
    }
)


class Analysed(Protocol):
    """One analysed file (the CLI's `Result`): its name, report and where its lines start."""

    @property
    def name(self) -> str: ...
    @property
    def report(self) -> Report: ...
    @property
    def line_starts(self) -> tuple[int, ...]: ...
    @property
    def workflow(self) -> str | None: ...  # which of the file's workflows (a JSON pointer)


def rule_ids() -> list[str]:
    return [*CODES, *NOTES]


def rules() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for code in CODES.values():
        out.append(
            _rule(code.code, code.title, code.help, _LEVEL[code.severity], [code.check.value])
        )
    for note in NOTES.values():
        out.append(_rule(note.code, note.title, note.help, note.level, ["document"]))
    return out


def _rule(code: str, title: str, help_text: str, level: str, tags: list[str]) -> dict[str, Any]:
    return {
        "id": code,
        "name": "".join(part.capitalize() for part in code.split("_")),
        "shortDescription": {"text": title},
        "fullDescription": {"text": f"{title}. {help_text}"},
        "help": {"text": help_text},
        "helpUri": help_uri(code),
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["resilience", *tags]},
    }


def to_sarif(results: Sequence[Analysed]) -> dict[str, Any]:
    """The SARIF log for the analysed files."""
    index = {code: i for i, code in enumerate(rule_ids())}
    sarif_results: list[dict[str, Any]] = []
    for result in results:
        uri = artifact_uri(result.name)
        seen: Counter[str] = Counter()
        for finding in result.report.findings:
            sarif_results.append(_finding(finding, result, uri, index, seen))
        for note in result.report.notes:
            sarif_results.append(_note(note, result, uri, index, seen))
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL,
                        "informationUri": REPOSITORY,
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules(),
                    }
                },
                "invocations": [{"executionSuccessful": True}],
                "artifacts": [
                    {"location": {"uri": uri}}
                    for uri in dict.fromkeys(artifact_uri(r.name) for r in results)
                ],
                "columnKind": "unicodeCodePoints",
                "results": sarif_results,
                "properties": {"verdicts": [_verdict(r) for r in results]},
            }
        ],
    }


def _verdict(result: Analysed) -> dict[str, str]:
    entry = {"file": artifact_uri(result.name), "verdict": result.report.verdict.value}
    if result.workflow:
        entry["workflow"] = result.workflow
    return entry


def artifact_uri(name: str) -> str:
    """A relative URI reference for a file name as given on the command line."""
    if name == "-":
        return _STDIN_URI
    path = name.replace(os.sep, "/")
    while path.startswith("./"):
        path = path[2:]
    return quote(path, safe="/")


def _finding(
    finding: Finding, result: Analysed, uri: str, index: dict[str, int], seen: Counter[str]
) -> dict[str, Any]:
    about = f"step {finding.step}|{finding.service}"
    evidence = _ordered(finding)
    out: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message or CODES[finding.code].title},
        "locations": [_location(result, uri, evidence[0] if evidence else None)],
        "partialFingerprints": {
            FINGERPRINT: _fingerprint(_scoped(uri, result), finding.code, about, evidence, seen)
        },
        "properties": {
            "check": finding.check.value,
            "severity": finding.severity,
            "step": finding.step,
            "service": finding.service,
        },
    }
    related = [_location(result, uri, e, i) for i, e in enumerate(finding.evidence[1:6], start=1)]
    if related:
        out["relatedLocations"] = related
    if finding.baseline_state is not None:
        out["baselineState"] = finding.baseline_state
    if finding.suppressed:
        reason = finding.suppression_reason or ""
        external = reason == command_line_reason(finding.code)
        out["suppressions"] = [
            {
                "kind": "external" if external else "inSource",
                "status": "accepted",
                "justification": reason,
            }
        ]
    return out


def _ordered(finding: Finding) -> list[Evidence]:
    """The evidence, the place to fix first (see `_AT_MECHANISM`)."""
    evidence = list(finding.evidence)
    if finding.code in _AT_MECHANISM and len(evidence) > 1:
        evidence = [evidence[-1], *evidence[:-1]]
    return evidence


def primary_evidence(finding: Finding) -> Evidence | None:
    """The evidence a finding is located at (SARIF's location, the concise line)."""
    evidence = _ordered(finding)
    return evidence[0] if evidence else None


def finding_fingerprints(result: Analysed) -> list[str]:
    """The fingerprint of each of the result's findings, in order: the same as its SARIF
    result's `partialFingerprints` (a baseline records them)."""
    uri = artifact_uri(result.name)
    seen: Counter[str] = Counter()
    return [
        _fingerprint(_scoped(uri, result), f.code, f"step {f.step}|{f.service}", _ordered(f), seen)
        for f in result.report.findings
    ]


def _note(
    note: Note, result: Analysed, uri: str, index: dict[str, int], seen: Counter[str]
) -> dict[str, Any]:
    return {
        "ruleId": note.code,
        "ruleIndex": index[note.code],
        "level": NOTES[note.code].level,
        "message": {"text": note.message},
        "locations": [_location(result, uri, note.evidence[0] if note.evidence else None)],
        "partialFingerprints": {
            FINGERPRINT: _fingerprint(_scoped(uri, result), note.code, "", note.evidence, seen)
        },
    }


def _location(
    result: Analysed, uri: str, evidence: Evidence | None, ident: int | None = None
) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if evidence is not None and result.report.turns == 1:
        start_line, start_column = _line_column(result.line_starts, evidence.start)
        end_line, end_column = _line_column(result.line_starts, evidence.end)
        region: dict[str, Any] = {"startLine": start_line, "startColumn": start_column}
        if evidence.end > evidence.start:
            region |= {"endLine": end_line, "endColumn": end_column}
            if len(evidence.text) <= _SNIPPET_CHARS:
                region["snippet"] = {"text": evidence.text}
        physical["region"] = region
    else:
        physical["region"] = {"startLine": 1}
    out: dict[str, Any] = {"physicalLocation": physical}
    if ident is not None:
        out["id"] = ident
    if evidence is not None and evidence.pointer is not None:
        out["logicalLocations"] = [
            {
                "name": evidence.pointer.rsplit("/", 1)[-1] or "/",
                "fullyQualifiedName": evidence.pointer,
            }
        ]
    return out


def _line_column(line_starts: tuple[int, ...], offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    lo, hi = 0, len(line_starts)
    while lo < hi:  # the last line start <= offset
        mid = (lo + hi) // 2
        if line_starts[mid] <= offset:
            lo = mid + 1
        else:
            hi = mid
    line = max(lo, 1)
    return line, offset - line_starts[line - 1] + 1


def _scoped(uri: str, result: Analysed) -> str:
    """The file, and the workflow of it when it defines several (a fingerprint's scope)."""
    return f"{uri}#{result.workflow}" if result.workflow else uri


def _fingerprint(
    uri: str, code: str, about: str, evidence: Sequence[Evidence], seen: Counter[str]
) -> str:
    first = evidence[0] if evidence else None
    where = ""
    if first is not None:
        where = first.pointer or " ".join(first.text.split()).lower()
    key = "|".join((uri, code, about, where))
    seen[key] += 1
    digest = hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest()
    return digest[:32]
