"""The assisted reading without a server: the answer, the grounding, the request, the replay.

Each table names what a user of the assisted reading notices; the server's own behaviour (the
request through MCP sampling, its bounds, sessions) is in test_server_assist.py.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from workflow_prover import cli
from workflow_prover.analyzer import Analyzer
from workflow_prover.assist.answer import AnswerError, parse_answer
from workflow_prover.assist.reading import AssistedReading
from workflow_prover.assist.replay import AnswerBook, AnswersFileError, replay_report
from workflow_prover.assist.request import answer_key, build_request, kinds
from workflow_prover.assist.session import AssistJob, ModelAnswer, analyze_assisted
from workflow_prover.evaluate import evaluate
from workflow_prover.models import ClaimKind, Report
from workflow_prover.server.pool import Review, Reviewed

# The rules read a read from Shopify, and leave the NetSuite sentence unread.
MISSED = (
    "We pull new orders from Shopify every hour. Each order ends up in NetSuite as a sales "
    "order. Errors go to a DLQ."
)
NETSUITE = {"quote": "Each order ends up in NetSuite", "action": "write", "service": "NetSuite"}
# The rules read both steps, but not where refused orders go.
GRAVEYARD = (
    "We pull new orders from Shopify every hour and create each one in NetSuite. Orders NetSuite "
    "refuses are copied to the graveyard table for a human to look at."
)


def assisted(analyzer: Analyzer, text: str | list[str], answer: dict[str, Any]) -> Report:
    turns = [text] if isinstance(text, str) else text
    job = AssistJob("auto", answer=ModelAnswer(data=answer, model="m"))
    return analyze_assisted(analyzer, turns, job).report


# --- the answer ------------------------------------------------------------------------------

STEP_JSON = json.dumps({"steps": [NETSUITE], "claims": []})


@pytest.mark.parametrize(
    "text",
    [
        STEP_JSON,
        f"```json\n{STEP_JSON}\n```",
        f"Here is the reading:\n```\n{STEP_JSON}\n```\nHope this helps.",
        f"Sure. {STEP_JSON} That is all.",
    ],
    ids=["bare", "fenced", "fenced in prose", "bare in prose"],
)
def test_an_answer_is_read_bare_or_fenced(text: str) -> None:
    parsed = parse_answer(text)
    assert [s.service for s in parsed.steps] == ["NetSuite"]
    assert parsed.rejected == ()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("I cannot help with that.", "not JSON"),
        ('["steps"]', "not a JSON object"),
        ('{"steps": [], "verdict": "WORKFLOW_PROVEN"}', "fields other than"),
        ('{"steps": {"quote": "x"}}', "fields other than"),
    ],
    ids=["a refusal in prose", "a list", "an extra field", "steps not a list"],
)
def test_an_answer_that_is_not_the_asked_json_cannot_be_read(text: str, why: str) -> None:
    with pytest.raises(AnswerError, match=why):
        parse_answer(text)


def test_one_item_that_does_not_fit_its_schema_is_rejected_and_the_others_are_read() -> None:
    parsed = parse_answer(
        json.dumps(
            {
                "steps": [NETSUITE, {"quote": "x", "action": "delete-everything", "service": "y"}],
                "claims": [{"kind": "terminal_path", "quote": "DLQ"}],
            }
        )
    )
    assert [s.service for s in parsed.steps] == ["NetSuite"]
    assert parsed.rejected == (
        "step 2: action has a value the answer does not allow",
        "claim 1: modality is missing",
    )


# --- grounding -------------------------------------------------------------------------------


def test_a_missed_write_step_the_model_quotes_becomes_a_step_read_by_assist(
    analyzer: Analyzer,
) -> None:
    rules = analyzer.analyze(MISSED)
    report = assisted(analyzer, MISSED, {"steps": [NETSUITE]})
    assert rules.verdict == "NOT_APPLICABLE"
    assert report.verdict == "NON_IDEMPOTENT"
    step = next(s for s in report.steps if s.services == ["NetSuite"])
    assert (step.index, step.text, step.action) == (2, "Each order ends up in NetSuite", "write")
    finding = next(f for f in report.findings if f.code == "WRITE_WITHOUT_IDEMPOTENCY")
    assert finding.step == 2 and [e.reader for e in finding.evidence] == ["assist"]
    assert report.unread == []  # the sentence is read now
    assert "rest on a reading by your client's model" in report.message
    assert report.assist is not None and (report.assist.accepted, report.assist.rejected) == (1, 0)


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (
            {"quote": "We also push each order to Salesforce", "action": "write", "service": "CRM"},
            "step 1: its quote is not in the text",
        ),
        (
            {"quote": "Each order ends up in NetSuite", "action": "write", "service": "Xero"},
            "step 1: its service is not named in the text",
        ),
        (
            {"quote": "every hour. Each order", "action": "write", "service": "NetSuite"},
            "step 1: its quote spans more than one sentence",
        ),
        (
            {"quote": "Errors go to a DLQ", "action": "write", "service": "DLQ"},
            "step 1: DLQ is part of a mechanism (terminal_path), not a system a step acts on",
        ),
    ],
    ids=["an invented quote", "a service the text never names", "two sentences", "a DLQ"],
)
def test_a_step_the_text_does_not_bear_out_is_rejected_with_its_reason(
    analyzer: Analyzer, item: dict[str, str], reason: str
) -> None:
    report = assisted(analyzer, MISSED, {"steps": [item]})
    assert report.steps == analyzer.analyze(MISSED).steps
    assert report.assist is not None
    assert (report.assist.used, report.assist.accepted, report.assist.rejected) == (False, 0, 1)
    assert report.assist.reasons == [reason]


def test_a_quote_matches_whatever_its_case_and_whitespace(analyzer: Analyzer) -> None:
    step = {"quote": "each ORDER ends up\n in   netsuite", "action": "write", "service": "netsuite"}
    report = assisted(analyzer, MISSED, {"steps": [step]})
    assert [s.text for s in report.steps][1] == "Each order ends up in NetSuite"


def test_a_model_step_overlapping_a_rules_step_is_that_step(analyzer: Analyzer) -> None:
    step = {"quote": "create each one in NetSuite", "action": "write", "service": "NetSuite"}
    report = assisted(analyzer, GRAVEYARD, {"steps": [step]})
    rules = analyzer.analyze(GRAVEYARD)
    assert report.steps == rules.steps and report.findings == rules.findings
    assert report.assist is not None and report.assist.accepted == 1


@pytest.mark.parametrize(
    ("claim", "verdict", "reason"),
    [
        (
            {
                "kind": "terminal_path",
                "modality": "asserted",
                "service": "NetSuite",
                "quote": "copied to the graveyard table",
            },
            "NON_IDEMPOTENT",  # failure handling now exists: the next verdict in line
            None,
        ),
        (
            {
                "kind": "terminal_path",
                "modality": "asserted",
                "quote": "copied to the graveyard table",
            },
            "NON_IDEMPOTENT",  # scoped as the rules scope the clause: it names NetSuite
            None,
        ),
        (
            {"kind": "graveyard", "modality": "asserted", "quote": "copied to the graveyard table"},
            "HAPPY_PATH_BIAS",
            "claim 1: its kind is not one the Prover knows",
        ),
        (
            {
                "kind": "terminal_path",
                "modality": "asserted",
                "service": "Shopify",
                "quote": "copied to the graveyard table",
            },
            "HAPPY_PATH_BIAS",
            "claim 1: the text ties this statement to NetSuite",
        ),
        (
            {
                "kind": "terminal_path",
                "modality": "asserted",
                "step_quote": "We pull new orders from Shopify",
                "quote": "graveyard table",
            },
            "HAPPY_PATH_BIAS",
            "claim 1: the text ties this statement to NetSuite",
        ),
        (
            {"kind": "terminal_path", "modality": "asserted", "quote": "the graveyard tables"},
            "HAPPY_PATH_BIAS",
            "claim 1: its quote is not in the text",
        ),
    ],
    ids=[
        "scoped to the service it names",
        "scoped as the rules scope its clause",
        "an unknown kind",
        "a service the text does not tie it to",
        "a step the text does not tie it to",
        "a paraphrased quote",
    ],
)
def test_a_model_claim_counts_only_as_the_text_bears_it_out(
    analyzer: Analyzer, claim: dict[str, str], verdict: str, reason: str | None
) -> None:
    report = assisted(analyzer, GRAVEYARD, {"claims": [claim]})
    assert report.verdict == verdict
    assert report.assist is not None
    assert report.assist.reasons == ([reason] if reason else [])
    if reason is None:
        dlq = next(c for c in report.claims if c.kind is ClaimKind.TERMINAL_PATH)
        assert dlq.scope.services == ["NetSuite"] and dlq.evidence[0].reader == "assist"
        paths = {f.service for f in report.findings if f.code == "STEP_WITHOUT_FAILURE_PATH"}
        assert paths == {"Shopify"}  # NetSuite's refused orders have somewhere to go now
        assert "Counted from your client's model's reading" in report.message


NEGATED = (
    "We pull new orders from Shopify every hour and create each one in NetSuite. There is no "
    "dead letter queue, and we will park failed orders in a quarantine table later."
)


@pytest.mark.parametrize(
    ("quote", "modality", "reason"),
    [
        ("dead letter queue", "asserted", "the rules read its quote as negated, not asserted"),
        ("There is no dead letter queue", "asserted", "the rules read its quote as negated"),
        ("park failed orders in a quarantine table", "asserted", "as planned, not asserted"),
        ("There is no dead letter queue", "planned", None),  # not asserted either way: kept
    ],
    ids=["a negated DLQ", "the whole negation", "a planned table", "agreeing it is absent"],
)
def test_the_rules_reading_decides_whether_a_quoted_mechanism_is_asserted(
    analyzer: Analyzer, quote: str, modality: str, reason: str | None
) -> None:
    claim = {"kind": "terminal_path", "modality": modality, "quote": quote}
    report = assisted(analyzer, NEGATED, {"claims": [claim]})
    assert report.verdict == "HAPPY_PATH_BIAS"
    assert not any(
        c.kind is ClaimKind.TERMINAL_PATH and c.modality == "asserted" for c in report.claims
    )
    assert report.assist is not None
    if reason is None:
        assert report.assist.reasons == []
    else:
        assert len(report.assist.reasons) == 1 and reason in report.assist.reasons[0]


def test_a_step_only_asked_about_is_no_step(analyzer: Analyzer) -> None:
    text = f"{MISSED} Should we also send each order to Salesforce?"
    step = {"quote": "send each order to Salesforce", "action": "write", "service": "Salesforce"}
    report = assisted(analyzer, text, {"steps": [step]})
    assert not any("Salesforce" in s.services for s in report.steps)
    assert report.assist is not None
    assert report.assist.reasons == [
        "step 1: the text does not state this step (the rules read it as question)"
    ]


def test_a_stored_reading_replays_to_the_same_report(analyzer: Analyzer) -> None:
    job = AssistJob("auto", answer=ModelAnswer(data={"steps": [NETSUITE]}, model="m"))
    live = analyze_assisted(analyzer, [MISSED], job)
    assert live.reading is not None
    stored = json.loads(json.dumps(live.reading.to_json()))
    later = analyze_assisted(
        analyzer, [MISSED, "Errors go to a DLQ."], AssistJob("auto", (stored,))
    )
    assert later.request is None  # nothing new is uncertain: no request
    assert [s.text for s in later.report.steps] == [s.text for s in live.report.steps]
    assert later.report.assist is not None
    assert later.report.assist.reasons == [
        "replayed the reading stored with turn 1 (no new request)"
    ]


def test_a_stored_reading_whose_quote_moved_is_not_replayed(analyzer: Analyzer) -> None:
    reading = AssistedReading.model_validate(
        {"model": "m", "steps": [{**NETSUITE, "at": {"turn": 1, "start": 3, "end": 33}}]}
    )
    report = analyze_assisted(analyzer, [MISSED], AssistJob("auto", (reading.to_json(),))).report
    assert report.assist is not None and report.assist.accepted == 0
    assert (
        "turn 1: step 1: its quote is no longer at its place in the text" in report.assist.reasons
    )


# --- when the model is asked ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "text", "asks"),
    [
        ("auto", MISSED, True),  # a sentence left unread
        ("auto", "Postmark and Airtable, nightly.", True),  # no step, but systems named
        ("auto", GRAVEYARD, False),  # the rules read every sentence
        ("auto", "Hello! What can you do?", False),  # nothing to read
        ("always", GRAVEYARD, True),
        ("never", MISSED, False),
    ],
    ids=["unread sentence", "no step", "all read", "no design", "always", "never"],
)
def test_the_model_is_asked_only_when_the_mode_says_so(
    analyzer: Analyzer, mode: Any, text: str, asks: bool
) -> None:
    outcome = analyze_assisted(analyzer, [text], AssistJob(mode, can_ask=True))
    assert (outcome.request is not None) is asks
    assert outcome.report == analyzer.analyze(text)  # not asked yet: the rules' report


def test_the_request_is_built_from_the_redacted_turns_only() -> None:
    turns = ["We sync Stripe to HubSpot.", "The key is [REDACTED:stripe_key]."]
    request = build_request(turns, 1000)
    assert request.to_json()["messages"][0]["content"]["text"] == request.user
    assert '<turn number="1">\nWe sync Stripe to HubSpot.\n</turn>' in request.user
    assert '<turn number="2">\nThe key is [REDACTED:stripe_key].\n</turn>' in request.user
    assert (request.max_tokens, request.temperature, request.include_context) == (1000, 0, "none")
    assert (
        request.key == answer_key(turns) and request.digest() == build_request(turns, 1000).digest()
    )
    assert request.digest() != build_request(turns[:1], 1000).digest()


def test_the_prompt_names_exactly_the_report_claim_kinds() -> None:
    assert set(kinds()) == {k.value for k in ClaimKind}
    system = build_request(["x"]).system
    assert all(f'"{kind}"' in system for kind in kinds())


def test_assisted_jobs_cross_into_a_worker_process_and_back() -> None:
    job = Review((), "text", False, AssistJob("auto", ({"steps": []},), answer=ModelAnswer("{}")))
    reviewed = Reviewed("text", {"verdict": "X"}, build_request(["text"]), {"model": "m"})
    assert pickle.loads(pickle.dumps(job)) == job
    assert pickle.loads(pickle.dumps(reviewed)) == reviewed


# --- recorded answers ---------------------------------------------------------------------------


def answers_file(tmp_path: Path, lines: list[dict[str, Any]]) -> Path:
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_a_recorded_answer_is_found_by_the_hash_of_the_redacted_text(
    analyzer: Analyzer, tmp_path: Path
) -> None:
    path = answers_file(
        tmp_path,
        [{"sha256": answer_key([MISSED]), "model": "m", "answer": {"steps": [NETSUITE]}}],
    )
    report = replay_report(analyzer, [MISSED], AnswerBook.load(path))
    assert report == assisted(analyzer, MISSED, {"steps": [NETSUITE]})
    other = replay_report(analyzer, [MISSED + " Nightly."], AnswerBook.load(path))
    assert other.assist is not None and not other.assist.used
    assert other.assist.reasons[0].startswith("no recorded answer for this text (sha256 ")


@pytest.mark.parametrize(
    "line",
    ['{"sha256": "abc", "answer": {}}', '{"answer": {}}', "not json"],
    ids=["a short hash", "no hash", "not JSON"],
)
def test_an_answers_file_with_a_bad_line_is_refused_with_its_line_number(
    tmp_path: Path, line: str
) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text("\n" + line + "\n", encoding="utf-8")
    with pytest.raises(AnswersFileError, match=r"^line 2: not a recorded answer"):
        AnswerBook.load(path)


def test_make_eval_reads_cases_with_recorded_answers(analyzer: Analyzer, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        json.dumps({"id": "missed", "text": MISSED, "verdict": "NON_IDEMPOTENT"}) + "\n",
        encoding="utf-8",
    )
    book = AnswerBook.load(
        answers_file(tmp_path, [{"sha256": answer_key([MISSED]), "answer": {"steps": [NETSUITE]}}])
    )
    assert evaluate([cases], analyzer)["ALL"].correct == 0
    assert evaluate([cases], analyzer, book)["ALL"].correct == 1


@pytest.fixture
def shared(analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch) -> Analyzer:
    monkeypatch.setattr("workflow_prover.analyzer.default_analyzer", lambda: analyzer)
    return analyzer


def test_assist_prompt_prints_the_exact_request_without_the_secret(
    shared: Analyzer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "sk_live_" + "51HqLyjWDarjtT1zdp7dcXYZabcdef0123456789"
    design = tmp_path / "design.md"
    design.write_text(f"{MISSED} The Stripe key is {secret}.", encoding="utf-8")
    assert cli.main(["assist-prompt", str(design), "--max-tokens", "512"]) == 0
    out = capsys.readouterr().out
    printed = json.loads(out)
    redacted = shared.redact(design.read_text(encoding="utf-8"))
    assert printed == build_request([redacted], 512).to_json()
    assert secret not in out and "[REDACTED:stripe_key]" in out
    assert set(printed) >= {"system", "messages", "max_tokens"}


def test_check_with_recorded_answers_prints_the_assisted_report(
    shared: Analyzer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    design = tmp_path / "design.md"
    design.write_text(MISSED, encoding="utf-8")
    path = answers_file(
        tmp_path, [{"sha256": answer_key([MISSED]), "answer": {"steps": [NETSUITE]}}]
    )
    code = cli.main(["check", "--format", "json", "--assist-answers", str(path), str(design)])
    report = json.loads(capsys.readouterr().out)
    assert (code, report["verdict"]) == (1, "NON_IDEMPOTENT")
    assert report["assist"]["used"] is True
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{}\n", encoding="utf-8")
    assert cli.main(["check", "--assist-answers", str(bad), str(design)]) == 2
    assert "bad.jsonl: line 1: not a recorded answer" in capsys.readouterr().err
