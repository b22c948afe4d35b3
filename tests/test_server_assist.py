"""The assisted reading through the server, driven by the SDK's own client with a sampling
callback (`mcp.Client(server, sampling_callback=...)`) standing in for the client's model.

Every test that asks runs on both ways a request can travel: a round trip through the client
(protocol 2026-07-28, the SDK client's default) and a request mid-call over the back-channel
(2025-11-25, `mode="legacy"`).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import (
    CallToolResult,
    CreateMessageRequestParams,
    CreateMessageResult,
    ErrorData,
    TextContent,
)

from workflow_prover import cli
from workflow_prover.analyzer import Analyzer
from workflow_prover.assist.request import answer_key, build_request
from workflow_prover.server.app import TOOL_NAME, ServerSettings, build_server
from workflow_prover.server.review import SESSION_FIELDS
from workflow_prover.server.store import MemorySessionStore, SqliteSessionStore

MISSED = (
    "We pull new orders from Shopify every hour. Each order ends up in NetSuite as a sales "
    "order. Errors go to a DLQ."
)
NETSUITE = {"quote": "Each order ends up in NetSuite", "action": "write", "service": "NetSuite"}
READ_WELL = (
    "We pull new orders from Shopify every hour and create each one in NetSuite, keyed on the "
    "order ID. Errors go to a DLQ."
)
STRIPE_KEY = "sk_live_" + "51HqLyjWDarjtT1zdp7dcXYZabcdef0123456789"
PASSWORD = "hunter" + "2-Quill-88"
LEAKY = f"{MISSED} The Shopify key is {STRIPE_KEY} and the NetSuite password is {PASSWORD}."
PROTOCOLS = {"round trip (2026-07-28)": "auto", "back-channel (2025-11-25)": "legacy"}


@dataclass
class FakeModel:
    """The client's model: answers every request with `answer` (after `delay` seconds)."""

    answer: Any = field(default_factory=lambda: {"steps": [NETSUITE], "claims": []})
    delay: float = 0.0
    refuse: bool = False
    requests: list[CreateMessageRequestParams] = field(default_factory=list)

    async def __call__(self, context: Any, params: CreateMessageRequestParams) -> Any:
        self.requests.append(params)
        await anyio.sleep(self.delay)
        if self.refuse:
            return ErrorData(code=-1, message="The user declined the request")
        text = self.answer if isinstance(self.answer, str) else json.dumps(self.answer)
        content = TextContent(type="text", text=text)
        return CreateMessageResult(role="assistant", content=content, model="fake-model")


async def review(
    server: Any, model: FakeModel | None, protocol: str = "auto", **arguments: Any
) -> CallToolResult:
    options: dict[str, Any] = {"mode": protocol}
    if model is not None:
        options["sampling_callback"] = model
    async with Client(server, **options) as client:
        return await client.call_tool(TOOL_NAME, arguments)


def report_of(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    data = dict(result.structured_content)
    return {k: v for k, v in data.items() if k not in SESSION_FIELDS}


def without_ms(report: dict[str, Any]) -> dict[str, Any]:
    assist = dict(report["assist"])
    assist.pop("ms")
    return {**report, "assist": assist}


@pytest.fixture
def server(analyzer: Analyzer) -> Any:
    return build_server(analyzer, MemorySessionStore(), ServerSettings(assist_timeout=1.0))


@pytest.mark.anyio
@pytest.mark.parametrize("protocol", list(PROTOCOLS.values()), ids=list(PROTOCOLS))
async def test_a_missed_write_step_the_model_proposes_becomes_a_step_with_findings(
    server: Any, protocol: str
) -> None:
    model = FakeModel()
    report = report_of(await review(server, model, protocol, description=MISSED))
    assert len(model.requests) == 1
    assert report["verdict"] == "NON_IDEMPOTENT"  # the rules alone: NOT_APPLICABLE
    step = report["steps"][1]
    assert (step["text"], step["action"], step["services"]) == (
        NETSUITE["quote"],
        "write",
        ["NetSuite"],
    )
    netsuite = [f for f in report["findings"] if f["service"] == "NetSuite"]
    assert {f["code"] for f in netsuite} >= {"WRITE_WITHOUT_IDEMPOTENCY", "NO_VAULT_REFERENCE"}
    assert all(e["reader"] == "assist" for f in netsuite for e in f["evidence"])
    shopify = [e for f in report["findings"] if f["service"] == "Shopify" for e in f["evidence"]]
    assert shopify and all(e["reader"] == "rules" for e in shopify)
    assert (
        "The findings on step 2 (NetSuite) rest on a reading by your client's model"
        in (report["message"])
    )
    assert report["assist"] == {
        "used": True,
        "mode": "auto",
        "model": "fake-model",
        "accepted": 1,
        "rejected": 0,
        "reasons": [],
        "ms": report["assist"]["ms"],
    }


@pytest.mark.anyio
@pytest.mark.parametrize("protocol", list(PROTOCOLS.values()), ids=list(PROTOCOLS))
async def test_an_invented_quote_is_rejected_and_counted(
    analyzer: Analyzer, server: Any, protocol: str
) -> None:
    invented = {
        "quote": "We also push each order to Salesforce",
        "action": "write",
        "service": "Salesforce",
    }
    model = FakeModel({"steps": [NETSUITE, invented], "claims": []})
    report = report_of(await review(server, model, protocol, description=MISSED))
    assert [s["services"] for s in report["steps"]] == [["Shopify"], ["NetSuite"]]
    assert (report["assist"]["accepted"], report["assist"]["rejected"]) == (1, 1)
    assert report["assist"]["reasons"] == ["step 2: its quote is not in the text"]


@pytest.mark.anyio
@pytest.mark.parametrize("protocol", list(PROTOCOLS.values()), ids=list(PROTOCOLS))
async def test_an_asserted_dlq_whose_quote_the_rules_read_as_negated_stays_absent(
    server: Any, protocol: str
) -> None:
    text = MISSED.replace("Errors go to a DLQ.", "There is no dead letter queue.")
    dlq = {"kind": "terminal_path", "modality": "asserted", "quote": "dead letter queue"}
    model = FakeModel({"steps": [NETSUITE], "claims": [dlq]})
    report = report_of(await review(server, model, protocol, description=text))
    assert report["verdict"] == "HAPPY_PATH_BIAS"
    assert [c["modality"] for c in report["claims"] if c["kind"] == "terminal_path"] == ["negated"]
    assert report["assist"]["reasons"] == [
        "claim 1: the rules read its quote as negated, not asserted"
    ]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("settings", "arguments", "model"),
    [
        (ServerSettings(), {}, None),  # a client without sampling
        (ServerSettings(), {"assist": "never"}, FakeModel()),
        (ServerSettings(assist="never"), {"assist": "always"}, FakeModel()),  # the ceiling
        (ServerSettings(), {}, FakeModel()),  # read well: auto does not ask
    ],
    ids=["no sampling capability", "assist never", "server ceiling never", "nothing uncertain"],
)
async def test_without_a_request_the_report_is_the_rules_report_byte_for_byte(
    analyzer: Analyzer, settings: ServerSettings, arguments: dict[str, Any], model: FakeModel | None
) -> None:
    server = build_server(analyzer, MemorySessionStore(), settings)
    text = READ_WELL if model is not None and not arguments else MISSED
    result = await review(server, model, description=text, **arguments)
    rules = analyzer.analyze_turns([text]).model_dump(mode="json")
    assert json.dumps(report_of(result)) == json.dumps(rules)
    assert isinstance(result.content[0], TextContent)
    assert result.content[0].text.startswith(rules["message"] + "\n\n")
    assert model is None or model.requests == []


@pytest.mark.anyio
@pytest.mark.parametrize("protocol", list(PROTOCOLS.values()), ids=list(PROTOCOLS))
async def test_the_request_carries_the_redacted_text_and_no_secret(
    analyzer: Analyzer,
    protocol: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = build_server(analyzer, MemorySessionStore(), ServerSettings(assist_max_tokens=777))
    model = FakeModel()
    report = report_of(await review(server, model, protocol, description=LEAKY, assist="always"))
    (params,) = model.requests
    wire = params.model_dump_json(by_alias=True)
    assert STRIPE_KEY not in wire and PASSWORD not in wire
    assert "[REDACTED:stripe_key]" in wire
    assert (params.include_context, params.temperature, params.max_tokens) == ("none", 0, 777)
    assert report["verdict"] == "INSECURE_CREDENTIALS" and report["assist"]["used"]
    # exactly what `workflow-prover assist-prompt` prints for the same text
    design = tmp_path / "design.md"
    design.write_text(LEAKY, encoding="utf-8")
    monkeypatch.setattr("workflow_prover.analyzer.default_analyzer", lambda: analyzer)
    assert cli.main(["assist-prompt", str(design), "--max-tokens", "777"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["system"] == params.system_prompt
    assert printed["messages"] == [
        m.model_dump(mode="json", exclude_none=True) for m in params.messages
    ]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("model", "reason"),
    [
        (FakeModel(delay=2.0), "the model did not answer within 0.5 s: the rules' reading stands"),
        (FakeModel("I'd rather not."), "the model's answer could not be read (the answer is not"),
        (
            FakeModel({"steps": [], "verdict": "WORKFLOW_PROVEN"}),
            "the model's answer could not be read (the answer has fields other than",
        ),
    ],
    ids=["a slow model", "a refusal in prose", "a different JSON"],
)
@pytest.mark.parametrize("protocol", list(PROTOCOLS.values()), ids=list(PROTOCOLS))
async def test_an_answer_that_cannot_be_used_falls_back_to_the_rules_report(
    analyzer: Analyzer, model: FakeModel, reason: str, protocol: str
) -> None:
    model = FakeModel(model.answer, model.delay)  # each run its own
    server = build_server(analyzer, MemorySessionStore(), ServerSettings(assist_timeout=0.5))
    started = time.monotonic()
    report = report_of(await review(server, model, protocol, description=MISSED))
    elapsed = time.monotonic() - started
    rules = analyzer.analyze_turns([MISSED]).model_dump(mode="json")
    assert {**report, "assist": None} == rules
    assert report["assist"]["used"] is False and report["assist"]["reasons"][0].startswith(reason)
    if protocol == "legacy" and model.delay:
        assert elapsed < model.delay  # the server stopped waiting at the time bound


@pytest.mark.anyio
async def test_a_client_that_refuses_mid_call_gets_the_rules_report(analyzer: Analyzer) -> None:
    server = build_server(analyzer, MemorySessionStore())
    report = report_of(await review(server, FakeModel(refuse=True), "legacy", description=MISSED))
    assert report["verdict"] == "NOT_APPLICABLE"
    assert report["assist"]["reasons"] == [
        "the client refused or failed the request (The user declined the request)"
    ]


@pytest.mark.anyio
async def test_a_recorded_answer_gives_the_report_the_live_model_gave(
    server: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    analyzer: Analyzer,
) -> None:
    model = FakeModel()
    live = report_of(await review(server, model, description=MISSED))
    answers = tmp_path / "answers.jsonl"
    line = {"sha256": answer_key([MISSED]), "model": "fake-model", "answer": model.answer}
    answers.write_text(json.dumps(line) + "\n", encoding="utf-8")
    design = tmp_path / "design.md"
    design.write_text(MISSED, encoding="utf-8")
    monkeypatch.setattr("workflow_prover.analyzer.default_analyzer", lambda: analyzer)
    code = cli.main(["check", "--format", "json", "--assist-answers", str(answers), str(design)])
    replayed = json.loads(capsys.readouterr().out)
    assert code == 1
    assert without_ms(replayed) == without_ms(live)
    assert replayed["assist"]["ms"] == 0


@pytest.mark.anyio
@pytest.mark.parametrize("protocol", list(PROTOCOLS.values()), ids=list(PROTOCOLS))
async def test_a_restarted_server_replays_a_session_without_a_new_request(
    analyzer: Analyzer, tmp_path: Path, protocol: str
) -> None:
    path = tmp_path / "sessions.sqlite3"
    first = FakeModel()
    result = await review(
        build_server(analyzer, SqliteSessionStore(path)), first, protocol, description=MISSED
    )
    sid = result.structured_content["session_id"] if result.structured_content else ""
    stored = SqliteSessionStore(path).get(sid)
    assert stored is not None and stored.turns[0].assist is not None
    assert stored.turns[0].assist["steps"][0]["quote"] == NETSUITE["quote"]

    again = FakeModel()  # the restarted server: a new store on the same file
    restarted = build_server(analyzer, SqliteSessionStore(path))
    report = report_of(
        await review(
            restarted,
            again,
            protocol,
            session_id=sid,
            description="The NetSuite token is in Vault.",
        )
    )
    assert again.requests == [] and len(first.requests) == 1
    assert report["turns"] == 2
    netsuite = next(s for s in report["steps"] if s["services"] == ["NetSuite"])
    assert netsuite["text"] == NETSUITE["quote"]
    assert report["assist"]["reasons"] == [
        "replayed the reading stored with turn 1 (no new request)"
    ]
    assert report["assist"]["model"] == "fake-model"


@pytest.mark.anyio
async def test_each_call_makes_at_most_one_request(server: Any) -> None:
    model = FakeModel()
    async with Client(server, sampling_callback=model) as client:
        first = await client.call_tool(TOOL_NAME, {"description": MISSED})
        sid = first.structured_content["session_id"] if first.structured_content else ""
        await client.call_tool(TOOL_NAME, {"description": READ_WELL, "session_id": sid})
        await client.call_tool(TOOL_NAME, {"description": "Afterwards Postmark emails them."})
    assert len(model.requests) == 2  # the first and the third are uncertain, the second is not
    assert build_request([MISSED]).user == model.requests[0].messages[0].content.text  # type: ignore[union-attr]


_SCHEMA_1 = """
CREATE TABLE sessions (id TEXT PRIMARY KEY, created_at REAL NOT NULL, updated_at REAL NOT NULL,
    turn_count INTEGER NOT NULL DEFAULT 0, text_chars INTEGER NOT NULL DEFAULT 0);
CREATE TABLE turns (session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    turn INTEGER NOT NULL, created_at REAL NOT NULL, text TEXT NOT NULL, strict INTEGER NOT NULL,
    verdict TEXT NOT NULL, report TEXT NOT NULL, PRIMARY KEY (session_id, turn));
"""


def test_a_session_file_of_the_previous_schema_keeps_its_turns_and_takes_readings(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    now = time.time()
    conn = sqlite3.connect(path)
    conn.executescript(_SCHEMA_1)
    conn.execute("INSERT INTO sessions VALUES ('old-session', ?, ?, 1, 4)", (now, now))
    conn.execute("INSERT INTO turns VALUES ('old-session', 1, ?, 'text', 0, 'X', '{}')", (now,))
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = SqliteSessionStore(path)
    before = store.get("old-session")
    assert before is not None and before.turns[0].assist is None
    store.append_turn(
        "old-session",
        2,
        "more",
        strict=False,
        verdict="X",
        report={},
        assist={"model": "m", "steps": [], "claims": []},
    )
    after = SqliteSessionStore(path).get("old-session")
    assert after is not None
    assert [t.assist for t in after.turns] == [None, {"model": "m", "steps": [], "claims": []}]


@pytest.mark.anyio
async def test_the_session_resource_shows_each_turns_accepted_reading(server: Any) -> None:
    async with Client(server, sampling_callback=FakeModel()) as client:
        result = await client.call_tool(TOOL_NAME, {"description": MISSED})
        sid = result.structured_content["session_id"] if result.structured_content else ""
        state = await client.read_resource(f"workflow-prover://sessions/{sid}")
    turns = json.loads(getattr(state.contents[0], "text", ""))["turns"]
    reading = turns[0]["assist"]
    assert reading["model"] == "fake-model"
    assert reading["steps"] == [{**NETSUITE, "at": {"turn": 1, "start": 44, "end": 74}}]
