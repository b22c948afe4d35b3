"""Step Functions semantics that real state machines use, read as a reviewer reads them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from workflow_prover.analyzer import Analyzer
from workflow_prover.models import Report

LAMBDA = "arn:aws:states:::lambda:invoke"
PUT = "arn:aws:states:::dynamodb:putItem"
UPDATE = "arn:aws:states:::dynamodb:updateItem"
SNS = "arn:aws:states:::sns:publish"
HTTP = "arn:aws:states:::http:invoke"
RETRY = [{"ErrorEquals": ["States.ALL"], "BackoffRate": 2, "MaxAttempts": 3}]


def machine(states: dict[str, Any], start: str = "A") -> str:
    return json.dumps({"StartAt": start, "States": states}, indent=2)


def task(resource: str, **fields: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, **fields}


def codes(report: Report, step: int | None = None) -> set[str]:
    return {f.code for f in report.findings if step is None or f.step == step}


DYNAMODB_WRITES = [
    pytest.param(
        PUT, {"TableName": "t", "Item": {"id": {"S.$": "$.id"}}}, True, id="put-input-key"
    ),
    pytest.param(
        PUT, {"TableName": "t", "Item": {"orderId.$": "$.orderId"}}, True, id="put-jsonpath"
    ),
    pytest.param(
        PUT,
        {"TableName": "t", "Item": {"id": {"S.$": "States.UUID()"}}},
        False,
        id="put-fresh-uuid",
    ),
    pytest.param(
        PUT, {"TableName": "t", "Item": {"note": {"S.$": "$.note"}}}, False, id="put-no-key"
    ),
    pytest.param(
        PUT,
        {"TableName": "t", "Item": {"id": {"S": "x"}}, "ConditionExpression": "#v < :v"},
        True,
        id="conditional-put",
    ),
    pytest.param(
        UPDATE,
        {"TableName": "t", "Key": {"id": {"S.$": "$.id"}}, "UpdateExpression": "SET #s = :s"},
        True,
        id="set-only-update",
    ),
    pytest.param(
        UPDATE,
        {"TableName": "t", "Key": {"id": {"S.$": "$.id"}}, "UpdateExpression": "ADD #n :one"},
        False,
        id="add-counter",
    ),
    pytest.param(
        UPDATE,
        {"TableName": "t", "Key": {"id": {"S.$": "$.id"}}, "UpdateExpression": "SET #n = #n + :o"},
        False,
        id="arithmetic-counter",
    ),
]


@pytest.mark.parametrize(("resource", "parameters", "idempotent"), DYNAMODB_WRITES)
def test_when_a_dynamodb_write_is_safe_to_repeat_then_it_needs_no_key(
    analyzer: Analyzer, resource: str, parameters: dict[str, Any], idempotent: bool
) -> None:
    report = analyzer.analyze(machine({"A": task(resource, Parameters=parameters, End=True)}))
    assert ("WRITE_WITHOUT_IDEMPOTENCY" not in codes(report)) is idempotent


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(
            {
                "Parameters": {
                    "ApiEndpoint": "https://api.stripe.com/v1/x",
                    "Method": "PUT",
                    "Authentication": {"ConnectionArn": "arn:aws:events:::connection/s"},
                }
            },
            id="jsonpath-authentication",
        ),
        pytest.param(
            {
                "QueryLanguage": "JSONata",
                "Arguments": {
                    "ApiEndpoint": "https://api.stripe.com/v1/x",
                    "Method": "PUT",
                    "InvocationConfig": {"ConnectionArn": "{% 'arn:aws:events:::c' %}"},
                },
            },
            id="jsonata-invocation-config",
        ),
    ],
)
def test_when_an_http_task_uses_an_eventbridge_connection_then_its_secret_is_in_a_vault(
    analyzer: Analyzer, arguments: dict[str, Any]
) -> None:
    report = analyzer.analyze(machine({"A": task(HTTP, Retry=RETRY, End=True, **arguments)}))
    assert "NO_VAULT_REFERENCE" not in codes(report)
    assert "NO_ROTATION" in codes(report)  # a connection's rotation is not visible


def test_when_a_task_token_is_sent_back_then_the_send_is_idempotent(analyzer: Analyzer) -> None:
    state = task(
        "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
        Parameters={"TaskToken.$": "$.token", "Output.$": "$"},
        End=True,
    )
    assert "WRITE_WITHOUT_IDEMPOTENCY" not in codes(analyzer.analyze(machine({"A": state})))


def _checked_call(choice: dict[str, Any], branches: dict[str, Any]) -> str:
    get = task(
        "arn:aws:states:::apigateway:invoke",
        Parameters={"ApiEndpoint": "x.execute-api.amazonaws.com", "Method": "PUT"},
        Next="Check",
    )
    return machine({"A": get, "Check": {"Type": "Choice", **choice}, **branches})


STATUS_200 = {"Choices": [{"Variable": "$.StatusCode", "NumericEquals": 200, "Next": "Ok"}]}
OUTCOME_CHOICES = [
    pytest.param(
        {**STATUS_200, "Default": "Notify"},
        {"Ok": {"Type": "Succeed"}, "Notify": task(SNS, End=True)},
        "STEP_WITHOUT_FAILURE_PATH",
        id="status-to-notification-is-alerting",
    ),
    pytest.param(
        {
            "Choices": [{"Variable": "$.status", "StringEquals": "FAILED", "Next": "Queue it"}],
            "Default": "Ok",
        },
        {
            "Ok": {"Type": "Succeed"},
            "Queue it": task(
                "arn:aws:states:::sqs:sendMessage", Parameters={"QueueUrl": "dlq"}, End=True
            ),
        },
        None,
        id="failed-status-to-a-queue-is-terminal",
    ),
    pytest.param(
        {**STATUS_200, "Default": "Stop"},
        {"Ok": {"Type": "Succeed"}, "Stop": {"Type": "Fail"}},
        "NO_FAILURE_HANDLING",
        id="status-to-fail-handles-nothing",
    ),
    pytest.param(
        {
            "Choices": [{"Variable": "$.price", "NumericLessThan": 50, "Next": "Notify"}],
            "Default": "Ok",
        },
        {"Ok": {"Type": "Succeed"}, "Notify": task(SNS, End=True)},
        "NO_FAILURE_HANDLING",
        id="business-branch-is-no-failure-handling",
    ),
]


@pytest.mark.parametrize(("choice", "branches", "code"), OUTCOME_CHOICES)
def test_when_a_choice_tests_a_status_then_its_failure_branch_is_failure_handling(
    analyzer: Analyzer, choice: dict[str, Any], branches: dict[str, Any], code: str | None
) -> None:
    report = analyzer.analyze(_checked_call(choice, branches))
    failure = {f.code for f in report.findings if f.step in (1, None)}
    handling = {"NO_FAILURE_HANDLING", "STEP_WITHOUT_FAILURE_PATH", "ERRORS_SWALLOWED"}
    assert failure & handling == ({code} if code else set())


@pytest.mark.parametrize(
    ("auth", "needs_vault"), [("NO_AUTH", False), ("IAM_ROLE", False), (None, False)]
)
def test_when_a_call_needs_no_static_secret_then_no_vault_is_asked_for(
    analyzer: Analyzer, auth: str | None, needs_vault: bool
) -> None:
    params = {"ApiEndpoint": "x.execute-api.amazonaws.com", "Method": "GET"}
    if auth:
        params["AuthType"] = auth
    state = task("arn:aws:states:::apigateway:invoke", Parameters=params, End=True)
    report = analyzer.analyze(machine({"A": state}))
    assert ("NO_VAULT_REFERENCE" in codes(report)) is needs_vault
    assert ("NO_ROTATION" in codes(report)) is False


def test_when_a_public_get_needs_no_credential_then_it_is_said_with_evidence(
    analyzer: Analyzer,
) -> None:
    params = {"ApiEndpoint": "x.execute-api.amazonaws.com", "Method": "GET", "AuthType": "NO_AUTH"}
    report = analyzer.analyze(
        machine({"A": task("arn:aws:states:::apigateway:invoke", Parameters=params, End=True)})
    )
    [claim] = [c for c in report.claims if c.kind.value == "no_credential"]
    assert claim.evidence[0].pointer == "/States/A/Parameters/AuthType"


@pytest.mark.parametrize(
    ("loop", "code"),
    [
        pytest.param({}, "NON_EXPONENTIAL_RETRY", id="catch-calls-itself-again"),
        pytest.param({"Wait": True}, "NON_EXPONENTIAL_RETRY", id="catch-waits-then-calls-again"),
    ],
)
def test_when_a_catch_leads_back_to_its_state_then_it_is_an_unbounded_retry_not_a_path(
    analyzer: Analyzer, loop: dict[str, bool], code: str
) -> None:
    target = "Pause" if loop else "A"
    states: dict[str, Any] = {
        "A": task(LAMBDA, Catch=[{"ErrorEquals": ["States.ALL"], "Next": target}], End=True)
    }
    if loop:
        states["Pause"] = {"Type": "Wait", "Seconds": 5, "Next": "A"}
    report = analyzer.analyze(machine(states))
    assert {code, "STEP_WITHOUT_FAILURE_PATH"} <= codes(report, 1)
    assert "ERRORS_SWALLOWED" not in codes(report)


def test_when_a_catch_rejoins_the_flow_at_a_store_then_the_failure_is_recorded(
    analyzer: Analyzer,
) -> None:
    record = task(
        UPDATE,
        Parameters={
            "TableName": "calls",
            "Key": {"id": {"S.$": "$.id"}},
            "UpdateExpression": "SET #s = :s",
        },
        End=True,
    )
    states = {
        "A": task(
            "arn:aws:states:::sqs:sendMessage",
            Retry=RETRY,
            Next="Record",
            Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Mark failed"}],
        ),
        "Mark failed": {"Type": "Pass", "Result": {"status": "failed"}, "Next": "Record"},
        "Record": record,
    }
    report = analyzer.analyze(machine(states))
    assert not codes(report, 1) & {"ERRORS_SWALLOWED", "STEP_WITHOUT_FAILURE_PATH"}


def test_when_states_are_named_for_the_idempotency_guard_then_they_guard_the_steps_after(
    analyzer: Analyzer,
) -> None:
    lock = task(
        "arn:aws:states:::dynamodb:putItem",
        Parameters={
            "TableName": "locks",
            "Item": {"id": {"S.$": "$.key"}, "ttl": {"N.$": "$.t"}},
            "ConditionExpression": "attribute_not_exists(id)",
        },
        Next="Charge",
    )
    states = {
        "Compute idempotency key": task(LAMBDA, Next="Lock idempotency record"),
        "Lock idempotency record": lock,
        "Charge": task(LAMBDA, Retry=RETRY, End=True),
    }
    report = analyzer.analyze(machine(states, start="Compute idempotency key"))
    assert [s.text for s in report.steps] == ["Charge"]
    assert not {"WRITE_WITHOUT_IDEMPOTENCY", "KEY_WITHOUT_RETENTION"} & codes(report)


@pytest.mark.parametrize(("retry", "throttled"), [(None, False), (RETRY, True)])
def test_when_a_lambda_task_has_no_backoff_then_it_hammers_the_function(
    analyzer: Analyzer, retry: list[dict[str, Any]] | None, throttled: bool
) -> None:
    state = task("arn:aws:lambda:us-east-1:1:function:charge", End=True)
    if retry:
        state["Retry"] = retry
    report = analyzer.analyze(machine({"A": state}))
    assert ("NO_RATE_LIMIT_HANDLING" not in codes(report)) is throttled
