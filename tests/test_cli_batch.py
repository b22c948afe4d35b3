"""The command line on batches: a bad file does not stop the others; a template's workflows."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from test_schemas_templates import TWO_MACHINES
from workflow_prover import cli
from workflow_prover.analyzer import Analyzer

SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
GOOD = "I need a script that takes all new Stripe payments and inserts them into our CRM."


@pytest.fixture(autouse=True)
def shared(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr("workflow_prover.analyzer.default_analyzer", lambda: analyzer)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    yield


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


BAD_FILES = [
    pytest.param("gone.md", None, "gone.md: no such file", id="missing"),
    pytest.param("flow.json", '{"StartAt": ', "flow.json: invalid JSON", id="invalid-json"),
    pytest.param("flow.yaml", "a: [1, 2\n", "flow.yaml: invalid YAML", id="invalid-yaml"),
    pytest.param("blob.md", b"\x00\x01", "blob.md: binary input", id="binary"),
    pytest.param("'*.nothing'", None, "no files match", id="glob-matching-nothing"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_when_one_file_of_a_batch_cannot_be_read_then_the_others_are_still_analysed(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    content: str | bytes | None,
    message: str,
) -> None:
    (tmp_path / "a.md").write_text(GOOD, encoding="utf-8")
    if isinstance(content, bytes):
        (tmp_path / name).write_bytes(content)
    elif content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")
    bad = str(tmp_path / name.strip("'"))
    code, out, err = run(capsys, "check", str(tmp_path / "a.md"), bad, "--format", "json")
    assert code == 2
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert json.loads(out)["verdict"] == "HAPPY_PATH_BIAS"


def test_when_every_file_of_a_batch_is_bad_then_nothing_is_printed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "check", str(tmp_path / "a.md"), str(tmp_path / "b.md"))
    assert (code, out) == (2, "")
    assert err.count("no such file") == 2


def test_when_a_template_holds_two_machines_then_each_is_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TWO_MACHINES, encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path), "--format", "json")
    entries = json.loads(out)
    assert code == 1
    assert [(e["file"], e["workflow"]) for e in entries] == [
        (str(path), "/Resources/Flow"),
        (str(path), "/Resources/Notify"),
    ]
    _, text, _ = run(capsys, "check", str(path))
    assert f"{path} /Resources/Notify: " in text


def test_when_a_template_holds_two_machines_then_sarif_has_one_artifact_and_distinct_results(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TWO_MACHINES, encoding="utf-8")
    _, out, _ = run(capsys, "check", str(path), "--format", "sarif")
    log = json.loads(out)
    jsonschema.validate(log, SARIF_SCHEMA)
    run_ = log["runs"][0]
    assert len(run_["artifacts"]) == 1
    prints = [r["partialFingerprints"]["workflowProver/v1"] for r in run_["results"]]
    assert len(prints) == len(set(prints))
    assert [v["workflow"] for v in run_["properties"]["verdicts"]] == [
        "/Resources/Flow",
        "/Resources/Notify",
    ]
