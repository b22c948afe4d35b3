"""Every fixture that holds a secret, through every output: the value appears nowhere.

`tests/data/fixture_secrets.json` lists, per fixture case, the literal secret values its text
holds (reviewed by hand; a case labelled SECRET_IN_TEXT must be listed, so a new fixture with a
secret cannot be forgotten). Each case runs through the library, the CLI in its three formats,
and the MCP server (every turn in one session, then the session resource); none of them may
contain any listed value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from conftest import FIXTURES
from workflow_prover import cli
from workflow_prover.analyzer import Analyzer
from workflow_prover.server.app import TOOL_NAME, build_server
from workflow_prover.server.store import MemorySessionStore

TABLE: dict[str, list[str]] = json.loads(
    (Path(__file__).parent / "data" / "fixture_secrets.json").read_text(encoding="utf-8")
)
# Labelled SECRET_IN_TEXT by their writer, but the value is a documented placeholder (the
# README's decision: a key that says EXAMPLE / NotARealKey is not a leak).
PLACEHOLDERS = {
    "unseen.jsonl:un-036": "sk_test_EXAMPLEonlyNotARealKey00",
    "blind/prose_and_reviews_5.jsonl:r13-056": "AKIAFAKEEXAMPLE7Q2ZX",
    "blind/real_texts_13.jsonl:r31-011": "ghp_FAKEexampleTOKEN0000notReal1111xyzAB",
    # one 4-character group repeated (2 bits a character): no key's shape, not redacted
    "blind/claims_prose_4.jsonl:r29-017": "key-f4k3f4k3f4k3f4k3f4k3f4k3f4k3f4k3",
}


def _cases() -> dict[str, list[str]]:
    """Every fixture case, keyed `file:id`, as its list of turn texts."""
    out: dict[str, list[str]] = {}
    for path in sorted(FIXTURES.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                turns = [row["text"]] if "text" in row else [t["text"] for t in row["turns"]]
                out[f"{path.relative_to(FIXTURES)}:{row['id']}"] = turns
    return out


def _labelled_secret(path: Path) -> set[str]:
    found: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            labels = [row, *row.get("turns", [])]
            if any("SECRET_IN_TEXT" in label.get("findings", []) for label in labels):
                found.add(f"{path.relative_to(FIXTURES)}:{row['id']}")
    return found


CASES = _cases()


def test_every_case_labelled_with_a_secret_is_in_the_table() -> None:
    labelled = set().union(*(_labelled_secret(p) for p in FIXTURES.rglob("*.jsonl")))
    assert labelled - set(PLACEHOLDERS) <= set(TABLE)


@pytest.mark.parametrize("key", sorted(TABLE))
def test_the_table_is_true_every_value_is_in_its_fixture(key: str) -> None:
    text = "\n".join(CASES[key])
    for value in TABLE[key]:
        assert value in text


def _assert_absent(key: str, blobs: list[str]) -> None:
    for value in TABLE[key]:
        for blob in blobs:
            assert value not in blob, (key, value[:12])


@pytest.mark.parametrize("key", sorted(TABLE))
def test_the_library_and_the_cli_never_print_the_secret(
    key: str, analyzer: Analyzer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    turns = CASES[key]
    blobs = [analyzer.analyze_turns(turns).model_dump_json(), analyzer.redact(turns[-1])]
    for number, text in enumerate(turns, 1):
        path = tmp_path / f"turn{number}.md"
        path.write_text(text, encoding="utf-8")
        for fmt in ("text", "json", "sarif"):
            cli.main(["check", str(path), "--format", fmt])
            captured = capsys.readouterr()
            blobs += [captured.out, captured.err]
    assert any("[REDACTED:" in blob for blob in blobs)
    _assert_absent(key, blobs)


@pytest.mark.anyio
async def test_the_mcp_server_never_returns_or_stores_the_secret(analyzer: Analyzer) -> None:
    store = MemorySessionStore()
    async with Client(build_server(analyzer, store)) as client:
        for key in sorted(TABLE):
            blobs: list[str] = []
            session: str | None = None
            for text in CASES[key]:
                args: dict[str, Any] = {"description": text}
                if session:
                    args["session_id"] = session
                result = await client.call_tool(TOOL_NAME, args)
                assert not result.is_error, key
                data = result.structured_content or {}
                session = data["session_id"]
                blobs += [json.dumps(data), *(getattr(c, "text", "") for c in result.content)]
            state = await client.read_resource(f"workflow-prover://sessions/{session}")
            blobs += [getattr(c, "text", "") for c in state.contents]
            assert any("[REDACTED:" in blob for blob in blobs), key
            _assert_absent(key, blobs)
