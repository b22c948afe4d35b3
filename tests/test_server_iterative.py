"""Issue 9: the iterative review as a client's model sees it, through the SDK's own client.

Two review conversations, written for these tests: an order-fulfilment flow with numbered steps
(BigCommerce -> Xero -> ShipStation -> SendGrid) and a nightly metered-billing job (Kafka ->
Chargebee -> Snowflake -> Microsoft Teams), each refined until WORKFLOW_PROVEN. Every turn's
step count, what its `changes` name, and what its text content shows are checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult, TextContent

from workflow_prover.analyzer import Analyzer
from workflow_prover.server.app import TOOL_NAME, build_server
from workflow_prover.server.store import SessionStore, SqliteSessionStore

ORDERS = [
    "Order fulfilment, four steps:\n"
    "1. BigCommerce sends us an order.paid webhook.\n"
    "2. We create the invoice in Xero.\n"
    "3. We buy a shipping label from ShipStation.\n"
    "4. We email the tracking link to the buyer through SendGrid.",
    "Step 2 upserts the Xero invoice keyed on the BigCommerce order id, so a repeated create "
    "updates the same invoice. The ShipStation label request carries an idempotency key derived "
    "from the order id. Before the SendGrid email we check a sent_emails table keyed on the "
    "order id and skip the email if it is already there.",
    "To restate step 2: the Xero invoice is upserted on the BigCommerce order id.",
    "When any of steps 2 to 4 still fails after the last attempt, the order goes to an SQS "
    "dead-letter queue; an alarm on the queue pages the on-call engineer and a redrive script "
    "replays it.",
    "Calls to Xero, ShipStation and SendGrid retry with exponential backoff and jitter, at most "
    "5 attempts, and honour Retry-After on a 429. The Xero, ShipStation and SendGrid credentials "
    "are read from AWS Secrets Manager.",
]
ORDERS_VERDICTS = [
    "HAPPY_PATH_BIAS",
    "HAPPY_PATH_BIAS",
    "HAPPY_PATH_BIAS",
    "NO_BACKOFF",
    "WORKFLOW_PROVEN",
]

BILLING = [
    "Every night a job reads yesterday's usage events from Kafka, reports each customer's usage "
    "to Chargebee as a metered usage record, loads the daily totals into Snowflake, and posts a "
    "summary to Microsoft Teams.",
    "The Chargebee usage report carries an idempotency key made of the customer id and the date. "
    "The Snowflake load is a MERGE on the customer id and the date. The Microsoft Teams post goes "
    "to an incoming webhook.",
    "why is step 4 still flagged?",
    "When a usage report still fails after the last attempt it goes to a billing.usage_failures "
    "table; an alert fires when that table is not empty, and its rows are replayed once the "
    "cause is fixed.",
    "The job retries every call with exponential backoff and jitter, at most 6 attempts, and "
    "honours Retry-After. Credentials for Kafka, Chargebee, Snowflake and Microsoft Teams come "
    "from HashiCorp Vault.",
]
TEAMS_RISK = {
    "code": "WRITE_WITHOUT_IDEMPOTENCY",
    "step": 4,
    "reason": "a repeated summary in the Teams channel is harmless",
}


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    return SqliteSessionStore(tmp_path / "sessions.sqlite3")


@pytest.fixture
def server(analyzer: Analyzer, store: SessionStore) -> Any:
    return build_server(analyzer, store)


def text_of(result: CallToolResult) -> str:
    assert len(result.content) == 1 and isinstance(result.content[0], TextContent)
    return result.content[0].text


def data_of(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return dict(result.structured_content)


async def converse(server: Any, turns: list[Any]) -> list[CallToolResult]:
    """Each turn in one session: a string is the description, a dict the whole arguments."""
    out: list[CallToolResult] = []
    session: str | None = None
    async with Client(server) as client:
        for turn in turns:
            arguments = {"description": turn} if isinstance(turn, str) else dict(turn)
            if session:
                arguments["session_id"] = session
            result = await client.call_tool(TOOL_NAME, arguments)
            out.append(result)
            session = data_of(result)["session_id"]
    return out


def resolved(data: dict[str, Any]) -> dict[tuple[str, int | None, str | None], str]:
    return {
        (x["code"], x["label"], x["service"]): x["words"]
        for x in data["changes"]["findings_resolved"]
    }


@pytest.mark.anyio
async def test_the_order_flow_converges_with_its_four_steps(server: Any) -> None:
    results = await converse(server, ORDERS)
    data = [data_of(r) for r in results]
    assert [d["verdict"] for d in data] == ORDERS_VERDICTS
    assert [len(d["steps"]) for d in data] == [4, 4, 4, 4, 4]
    assert [s["label"] for s in data[-1]["steps"]] == [1, 2, 3, 4]
    # turn 2 resolves each write's idempotency with the sentence that said it
    words = resolved(data[1])
    assert "keyed on the BigCommerce order id" in words[("WRITE_WITHOUT_IDEMPOTENCY", 2, "Xero")]
    assert "idempotency key" in words[("WRITE_WITHOUT_IDEMPOTENCY", 3, "ShipStation")]
    assert "sent_emails table" in words[("WRITE_WITHOUT_IDEMPOTENCY", 4, "SendGrid")]
    # turn 3 restates step 2 in other words: nothing changes
    assert data[2]["findings"] == data[1]["findings"] and data[2]["steps"] == data[1]["steps"]
    assert not data[2]["changes"]["findings_new"] and not data[2]["changes"]["findings_resolved"]
    assert text_of(results[2]).startswith("No finding changed this turn.")
    # the text leads with what changed, quoting the user
    assert text_of(results[3]).startswith("Resolved: NO_FAILURE_HANDLING on the design (turn 4:")


@pytest.mark.anyio
async def test_the_text_content_carries_the_whole_answer(server: Any) -> None:
    results = await converse(server, ORDERS[:2])
    text, data = text_of(results[1]), data_of(results[1])
    assert data["message"] in text
    assert "Steps as read (4):" in text
    assert "2. write -> Xero (2. We create the invoice in Xero)" in text
    assert "Checks: failure_handling fail, idempotency pass" in text
    assert "- NO_RATE_LIMIT_HANDLING, Step 3 (ShipStation): " in text
    assert "Warnings (1):\n- KEY_WITHOUT_RETENTION, the design: " in text
    assert "Questions:\n- " in text
    assert f"session_id: {data['session_id']} (turn 2)" in text


@pytest.mark.anyio
async def test_the_billing_job_answers_a_question_and_accepts_a_risk(server: Any) -> None:
    accept = {
        "description": "We accept that the summary can be posted twice.",
        "accept": [TEAMS_RISK],
    }
    results = await converse(server, [*BILLING, accept])
    data = [data_of(r) for r in results]
    assert [len(d["steps"]) for d in data] == [4, 4, 4, 4, 4, 4]  # no step from the webhook
    # the question: answered from the rule documentation, the design as it was, nothing stored
    asked = data[2]
    assert asked["turn"] == 2 and asked["findings"] == data[1]["findings"]
    assert any(
        line.startswith("WRITE_WITHOUT_IDEMPOTENCY on Step 4 (Microsoft Teams)")
        and "take no idempotency key" in line
        for line in asked["answer"]
    )
    assert text_of(results[2]).startswith("Answer (a question: the design is unchanged):")
    assert data[3]["turn"] == 3
    # the Teams write is the one left; accepted, it is listed and the verdict is proven
    assert data[4]["verdict"] == "NON_IDEMPOTENT"
    final = data[5]
    assert final["verdict"] == "WORKFLOW_PROVEN"
    teams = [f for f in final["findings"] if f["code"] == "WRITE_WITHOUT_IDEMPOTENCY"]
    assert [(f["step"], f["accepted"]) for f in teams] == [(4, TEAMS_RISK["reason"])]
    assert "Accepted risks (1):" in text_of(results[5])
    assert final["changes"]["findings_accepted"][0]["reason"] == TEAMS_RISK["reason"]


@pytest.mark.anyio
async def test_an_accepted_risk_persists_in_the_session(server: Any) -> None:
    later = "The summary post in step 4 is sent once per night."
    turns: list[Any] = [BILLING[0], {"description": BILLING[1], "accept": [TEAMS_RISK]}, later]
    data = [data_of(r) for r in await converse(server, turns)]
    for turn in data[1:]:
        teams = [f for f in turn["findings"] if f["code"] == "WRITE_WITHOUT_IDEMPOTENCY"]
        assert [f["accepted"] for f in teams] == [TEAMS_RISK["reason"]]
        assert turn["accepted"] == [{**TEAMS_RISK, "service": None}]


@pytest.mark.anyio
async def test_an_identical_resend_is_noticed_and_not_stored(
    server: Any, store: SessionStore
) -> None:
    results = await converse(server, [BILLING[0], BILLING[1], BILLING[1]])
    again = data_of(results[2])
    assert again["already_reviewed"] == 2 and again["turn"] == 2
    assert text_of(results[2]).startswith("Already reviewed: this text is identical to turn 2")
    session = store.get(again["session_id"])
    assert session is not None and len(session.turns) == 2


ERRORS = {
    "a leaked secret cannot be accepted": (
        {"code": "SECRET_IN_TEXT", "service": "Stripe", "reason": "test key"},
        "cannot accept SECRET_IN_TEXT",
    ),
    "an accepted risk names its step or service": (
        {"code": "NO_TIMEOUT", "reason": "fine"},
        "names the step (its number) or the service",
    ),
    "an accepted risk gives its reason": (
        {"code": "NO_TIMEOUT", "step": 2},
        "'accept' must be a list of {code, step or service, reason}",
    ),
}


@pytest.mark.anyio
@pytest.mark.parametrize(("item", "error"), ERRORS.values(), ids=ERRORS.keys())
async def test_an_acceptance_that_cannot_hold_is_refused(
    server: Any, item: dict[str, Any], error: str
) -> None:
    async with Client(server) as client:
        result = await client.call_tool(TOOL_NAME, {"description": BILLING[0], "accept": [item]})
    assert result.is_error and error in text_of(result)


@pytest.mark.anyio
async def test_prose_alone_never_accepts_a_risk(server: Any) -> None:
    turns = [BILLING[0], "We accept the risk of a duplicate Microsoft Teams summary in step 4."]
    last = data_of((await converse(server, turns))[-1])
    assert all(f["accepted"] is None for f in last["findings"])
    assert last["accepted"] == []


@pytest.mark.anyio
async def test_a_turn_that_asks_and_states_is_design_and_its_question_is_answered(
    server: Any,
) -> None:
    mixed = (
        "Why is the Teams post flagged? The Microsoft Teams post records each summary date in a "
        "posted_summaries table and skips a repeat."
    )
    results = await converse(server, [BILLING[0], BILLING[1], mixed])
    data = data_of(results[2])
    assert data["turn"] == 3 and data["answer"]
    words = resolved(data)[("WRITE_WITHOUT_IDEMPOTENCY", 4, "Microsoft Teams")]
    assert "posted_summaries table" in words
    assert text_of(results[2]).startswith("Answer to your question (the rest of the turn")


@pytest.mark.anyio
async def test_a_question_about_a_step_that_passes_names_the_words_that_cover_it(
    server: Any,
) -> None:
    results = await converse(
        server, [BILLING[0], BILLING[1], "Why is step 2 no longer flagged for idempotency?"]
    )
    answer = data_of(results[2])["answer"]
    assert answer == [
        "Step 2 (Chargebee) has no open idempotency finding: it is covered by turn 2: 'The "
        "Chargebee usage report carries an idempotency key made of the customer id and the "
        "date'."
    ]


@pytest.mark.anyio
async def test_a_secret_in_an_accepted_risks_reason_is_redacted_everywhere(
    server: Any, store: SessionStore
) -> None:
    secret = "sk_live_51HqLyjWDarjtT1zdp7dcXYZabcdef0123456789"
    risk = {**TEAMS_RISK, "reason": f"harmless, the key {secret} is only for tests"}
    results = await converse(server, [BILLING[0], {"description": BILLING[1], "accept": [risk]}])
    data = data_of(results[1])
    session = store.get(data["session_id"])
    assert session is not None
    stored = json.dumps([t.report for t in session.turns])
    for blob in (text_of(results[1]), json.dumps(data), stored):
        assert secret not in blob and "[REDACTED:" in blob


@pytest.mark.anyio
async def test_a_verdict_that_gets_worse_names_the_sentence_that_did_it(server: Any) -> None:
    removed = "We removed the SQS dead-letter queue: a failed order is now logged and skipped."
    results = await converse(server, [*ORDERS, removed])
    data = data_of(results[-1])
    assert data["verdict"] == "MISSING_DLQ" and data["changes"]["verdict_before"] == (
        "WORKFLOW_PROVEN"
    )
    assert "terminal_path" in {c["kind"] for c in data["changes"]["claims_retracted"]}
    assert (
        "The verdict got worse (WORKFLOW_PROVEN -> MISSING_DLQ) because of turn 6: "
        "'We removed the SQS dead-letter queue: a failed order is now logged and skipped'."
    ) in text_of(results[-1])
    assert len(data["steps"]) == 4


@pytest.mark.anyio
async def test_the_same_text_with_another_strict_is_a_new_turn(server: Any) -> None:
    turns: list[Any] = [BILLING[0], {"description": BILLING[0], "strict": True}]
    again = data_of((await converse(server, turns))[-1])
    assert again["turn"] == 2 and again["already_reviewed"] is None and again["strict"]


@pytest.mark.anyio
async def test_the_session_resource_lists_the_accepted_risks(server: Any) -> None:
    results = await converse(
        server, [BILLING[0], {"description": BILLING[1], "accept": [TEAMS_RISK]}]
    )
    sid = data_of(results[-1])["session_id"]
    async with Client(server) as client:
        state = await client.read_resource(f"workflow-prover://sessions/{sid}")
    body = json.loads(getattr(state.contents[0], "text", ""))
    assert body["accepted"] == [{**TEAMS_RISK, "service": None}]


@pytest.mark.anyio
async def test_a_step_taken_out_or_moved_is_said_in_the_text_and_in_changes(server: Any) -> None:
    first = (
        "stripe sends `invoice.paid` webhook -> we look up the company in hubspot -> create a "
        "deal in hubspot -> post a note to slack -> send the receipt through postmark."
    )
    results = await converse(
        server,
        [first, "the slack step isn't a step.", "we replaced postmark with sendgrid for receipts."],
    )
    removed = data_of(results[1])["changes"]
    assert [s["services"] for s in removed["steps_removed"]] == [["Slack"]]
    assert "Steps taken out: 4. write Slack" in text_of(results[1])
    moved = data_of(results[2])["changes"]
    assert [s["services"] for s in moved["steps_removed"]] == [["Postmark"]]
    assert [s["services"] for s in moved["steps_added"]] == [["SendGrid"]]
    assert [s["services"] for s in data_of(results[2])["steps"]][-1] == ["SendGrid"]
