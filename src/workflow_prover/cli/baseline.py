"""The baseline: today's findings recorded by their fingerprints, so a team can adopt the
Prover on old documents and fail only on what is new.

`--write-baseline FILE` records every finding of the run (its file, code and SARIF
fingerprint: a hash of what it is about, never its words, so the file holds no secret and
survives edits elsewhere in the document). `--baseline FILE` then marks each finding
`baseline_state: "unchanged"` (recorded: it is listed as such and does not fail) or `"new"`.
Fingerprints name the file as given on the command line: run from the same directory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workflow_prover.cli.inputs import UsageError, display_name
from workflow_prover.cli.output import Result
from workflow_prover.cli.sarif import artifact_uri, finding_fingerprints

# A baseline file over this size is not one the Prover wrote.
_MAX_BYTES = 20_000_000


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    code: str
    fingerprint: str = Field(min_length=1, max_length=128)


class BaselineFile(BaseModel):
    """What `--write-baseline` writes (the literals are SARIF's `TOOL` and `FINGERPRINT`: a
    test keeps them equal, so a new fingerprint scheme refuses an old baseline)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tool: Literal["workflow-prover"] = "workflow-prover"
    fingerprint: Literal["workflowProver/v1"] = "workflowProver/v1"
    findings: list[Entry] = Field(default_factory=list)


def record(results: Iterable[Result]) -> BaselineFile:
    entries: list[Entry] = []
    for result in results:
        uri = artifact_uri(result.name)
        for finding, print_ in zip(
            result.report.findings, finding_fingerprints(result), strict=True
        ):
            entries.append(Entry(file=uri, code=finding.code, fingerprint=print_))
    return BaselineFile(findings=entries)


def write_file(path: str, results: Sequence[Result]) -> int:
    """Write the baseline of `results` to `path`; how many findings it records."""
    baseline = record(results)
    text = json.dumps(baseline.model_dump(mode="json"), indent=2) + "\n"
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror.lower() if exc.strerror else type(exc).__name__
        raise UsageError(f"{display_name(path)}: cannot write the baseline: {reason}") from None
    return len(baseline.findings)


def read_file(path: str) -> frozenset[str]:
    """The fingerprints a baseline file records (a usage error says why it is not one)."""
    shown = display_name(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"{shown}: no such baseline file") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{shown}: cannot read the baseline: {type(exc).__name__}") from None
    if len(data) > _MAX_BYTES:
        raise UsageError(f"{shown}: not a baseline written by --write-baseline (too large)")
    try:
        baseline = BaselineFile.model_validate_json(data)
    except ValidationError:
        raise UsageError(
            f"{shown}: not a baseline written by --write-baseline (write one again)"
        ) from None
    return frozenset(entry.fingerprint for entry in baseline.findings)


def mark(result: Result, known: frozenset[str]) -> Result:
    """The result with each finding marked `unchanged` (in the baseline) or `new`."""
    findings = [
        finding.model_copy(update={"baseline_state": "unchanged" if fp in known else "new"})
        for finding, fp in zip(result.report.findings, finding_fingerprints(result), strict=True)
    ]
    return replace(result, report=result.report.model_copy(update={"findings": findings}))
