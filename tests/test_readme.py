"""The README's examples are real: regenerated from a run, checked against one.

`UPDATE_README=1 pytest tests/test_readme.py` rewrites the generated blocks; review the diff.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from workflow_prover import __version__
from workflow_prover.analyzer import Analyzer
from workflow_prover.cli import main
from workflow_prover.rules.links import REPOSITORY
from workflow_prover.server.app import TOOL_NAME, build_server
from workflow_prover.server.store import MemorySessionStore

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
EXAMPLE = ROOT / "fixtures" / "examples" / "resilient.md"
BEGIN, END = "<!-- report-json:begin -->\n", "<!-- report-json:end -->\n"


def trimmed(report: dict[str, Any]) -> dict[str, Any]:
    """The report as the README shows it: `findings` and `claims` cut to their first entry."""
    return report | {"findings": report["findings"][:1], "claims": report["claims"][:1]}


def _block(text: str) -> tuple[int, int]:
    start = text.index(BEGIN) + len(BEGIN)
    return start, text.index(END, start)


def test_when_the_readme_shows_a_json_report_then_it_is_the_output_of_a_real_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--format", "json", str(EXAMPLE)]) == 0
    report = json.loads(capsys.readouterr().out)
    expected = "```json\n" + json.dumps(trimmed(report), indent=2, ensure_ascii=False) + "\n```\n"
    text = README.read_text(encoding="utf-8")
    start, end = _block(text)
    if os.environ.get("UPDATE_README"):
        README.write_text(text[:start] + expected + text[end:], encoding="utf-8")
        text = README.read_text(encoding="utf-8")
        start, end = _block(text)
    assert text[start:end] == expected, "stale: run UPDATE_README=1 pytest tests/test_readme.py"


def test_when_the_readme_names_the_repository_then_it_is_the_one_the_package_links_to() -> None:
    text = README.read_text(encoding="utf-8")
    named = set(re.findall(r"https://github\.com/[\w.-]+/workflow-prover", text))
    assert named == {REPOSITORY}


def test_when_the_readme_pins_the_pre_commit_hook_then_rev_is_this_versions_tag() -> None:
    text = README.read_text(encoding="utf-8")
    revs = re.findall(r"^\s+rev: (\S+)", text, flags=re.MULTILINE)
    assert revs == [f"v{__version__}"]


def test_when_the_readme_runs_the_inspector_then_every_command_pins_one_version() -> None:
    text = README.read_text(encoding="utf-8")
    runs = re.findall(r"npx (?:-y )?(@modelcontextprotocol/inspector\S*)", text)
    assert runs and len(set(runs)) == 1
    (pinned,) = set(runs)
    assert re.fullmatch(r"@modelcontextprotocol/inspector@\d+\.\d+\.\d+", pinned)
    assert f"Inspector {pinned.rsplit('@', 1)[1]}" in text


# --- the tool's structured content ------------------------------------------------------------

SEED = [
    "I need a script that takes all new Stripe payments and inserts them into our CRM table "
    "via API.",
    "I defined a try/catch. If it fails, I just call the function that syncs the customer to the "
    "CRM again.",
]
SHOWN_SESSION_ID = "22EqDkabGfWlUNfqP8pZSAXF"
REVIEW_BEGIN, REVIEW_END = "<!-- review-json:begin -->\n", "<!-- review-json:end -->\n"


@pytest.mark.anyio
async def test_when_the_readme_shows_the_tools_structured_content_then_it_is_a_real_calls(
    analyzer: Analyzer,
) -> None:
    server = build_server(analyzer, MemorySessionStore())
    async with Client(server) as client:
        first = await client.call_tool(TOOL_NAME, {"description": SEED[0]})
        sid = (first.structured_content or {})["session_id"]
        second = await client.call_tool(TOOL_NAME, {"description": SEED[1], "session_id": sid})
    data = dict(second.structured_content or {})
    data = trimmed(data) | {"session_id": SHOWN_SESSION_ID, "questions": data["questions"][:1]}
    expected = "```json\n" + json.dumps(data, indent=2, ensure_ascii=False) + "\n```\n"
    text = README.read_text(encoding="utf-8")
    start = text.index(REVIEW_BEGIN) + len(REVIEW_BEGIN)
    end = text.index(REVIEW_END, start)
    if os.environ.get("UPDATE_README"):
        README.write_text(text[:start] + expected + text[end:], encoding="utf-8")
        return
    assert text[start:end] == expected, "stale: run UPDATE_README=1 pytest tests/test_readme.py"


# --- the iterative-review exchange --------------------------------------------------------------

EXCHANGE = [
    "Nightly payout sync:\n1. Read yesterday's payouts from Stripe.\n2. Upsert each payout into "
    "Postgres keyed on the payout id.\n3. Post a summary to Slack.\nFailed payouts go to a "
    "payout_failures table. Every call retries with exponential backoff and jitter, at most 5 "
    "attempts. The Stripe and Slack tokens and the Postgres password come from AWS Secrets "
    "Manager.",
    "does the Slack post really need an idempotency key?",
    "The Slack post records the summary's date in a posted_summaries table and skips the post if "
    "that date is already there.",
]
EXCHANGE_SESSION_ID = "riC-GfaYkciptWGxqhDqW4fi"
EXCHANGE_BEGIN, EXCHANGE_END = "<!-- exchange:begin -->\n", "<!-- exchange:end -->\n"


def _exchange_item(number: int, text: str, session: bool) -> str:
    args = {"description": text} | ({"session_id": "..."} if session else {})
    call = json.dumps(args, ensure_ascii=False)
    return textwrap.fill(
        f"{number}. `{call}`", width=96, subsequent_indent="   ", break_long_words=False
    )


@pytest.mark.anyio
async def test_when_the_readme_shows_a_three_turn_exchange_then_it_is_what_the_tool_says(
    analyzer: Analyzer,
) -> None:
    server = build_server(analyzer, MemorySessionStore())
    blocks: list[str] = []
    sid = None
    async with Client(server) as client:
        for number, text in enumerate(EXCHANGE, 1):
            args = {"description": text} | ({"session_id": sid} if sid else {})
            result = await client.call_tool(TOOL_NAME, args)
            sid = (result.structured_content or {})["session_id"]
            shown = result.content[0].text.replace(sid, EXCHANGE_SESSION_ID)  # type: ignore[union-attr]
            item = _exchange_item(number, text, number > 1)
            blocks.append(f"{item}\n\n```\n{shown}\n```\n")
    expected = "\n".join(blocks)
    readme = README.read_text(encoding="utf-8")
    start = readme.index(EXCHANGE_BEGIN) + len(EXCHANGE_BEGIN)
    end = readme.index(EXCHANGE_END, start)
    if os.environ.get("UPDATE_README"):
        README.write_text(readme[:start] + expected + readme[end:], encoding="utf-8")
        return
    assert readme[start:end] == expected, "stale: run UPDATE_README=1 pytest tests/test_readme.py"
