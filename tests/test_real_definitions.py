"""The 40 real public definitions of `fixtures/real/`: none crashes, hangs or leaks a secret,
and the 30 labelled ones keep their measured agreement."""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from workflow_prover import cli
from workflow_prover.analyzer import Analyzer
from workflow_prover.evaluate import Tally, cases

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real"
FILES = sorted((REAL / "files").iterdir())
MANIFEST = json.loads((REAL / "manifest.json").read_text(encoding="utf-8"))
SECONDS = 5.0


@pytest.fixture(autouse=True)
def shared(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr("workflow_prover.analyzer.default_analyzer", lambda: analyzer)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    yield


def test_every_real_file_has_its_source_and_licence_in_the_manifest() -> None:
    listed = {entry["file"] for entry in MANIFEST}
    assert listed == {f"files/{path.name}" for path in FILES}
    assert all(entry["source"].startswith("github:") and entry["licence"] for entry in MANIFEST)
    assert sum(entry["labelled"] for entry in MANIFEST) == 30


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
@pytest.mark.parametrize("output", ["json", "sarif"])
def test_when_a_real_file_is_checked_then_it_neither_crashes_nor_hangs_nor_leaks(
    path: Path, output: str, analyzer: Analyzer, capsys: pytest.CaptureFixture[str]
) -> None:
    text = path.read_text(encoding="utf-8")
    secrets = [text[m.start : m.end] for m in analyzer.scanner.scan(text) if m.end > m.start]
    started = time.perf_counter()
    code = cli.main(["check", str(path), "--format", output])
    elapsed = time.perf_counter() - started
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    assert elapsed < SECONDS, f"{path.name}: {elapsed:.1f} s"
    json.loads(out)
    for secret in secrets:
        assert secret not in out and secret not in err, (path.name, secret[:6])


def test_the_labelled_real_definitions_keep_their_agreement(analyzer: Analyzer) -> None:
    tally = Tally()
    for case in cases(REAL / "labels.jsonl"):
        tally.add(case, analyzer.analyze_turns(list(case.turns)))
    assert tally.total == 30
    assert tally.correct >= 28, "\n".join(tally.wrong)
    assert tally.proven_wrongly == 0


def test_the_labels_hold_the_documents_of_their_files() -> None:
    for line in (REAL / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        source = (REAL.parent / row["source"]).read_text(encoding="utf-8")
        assert row["text"] == source, f"{row['id']}: run scripts/sync_schema_cases.py"
