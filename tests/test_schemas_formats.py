"""Each structured format mapped onto steps, services and claims, with JSON pointers (no spaCy)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from pathlib import Path

import jsonschema
import pytest
import yaml

from workflow_prover.extract.services.catalog import ServiceCatalog
from workflow_prover.lexicon.loader import load_lexicons
from workflow_prover.models import ClaimKind as K
from workflow_prover.schemas import SchemaDoc, ServiceResolver, prover_json_schema, read_structured

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "schemas"
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="module")
def resolver() -> ServiceResolver:
    lexicons = load_lexicons()
    return ServiceResolver(lexicons, ServiceCatalog(lexicons))


def read(text: str, resolver: ServiceResolver, fmt: str | None = None) -> SchemaDoc:
    structured = read_structured(text, resolver)
    assert len(structured.docs) == 1, structured
    doc = structured.docs[0]
    assert fmt is None or doc.format == fmt
    return doc


def claims(doc: SchemaDoc) -> set[tuple[str, str, tuple[str, ...] | None]]:
    return {(c.kind.value, c.span.pointer, c.steps) for c in doc.claims}


def steps(doc: SchemaDoc) -> list[tuple[str, str, tuple[str, ...], bool]]:
    return [(s.ident, s.action, tuple(i.name for i in s.services), s.inbound) for s in doc.steps]


def asl(states: Mapping[str, object], start: str = "A") -> str:
    return json.dumps({"StartAt": start, "States": states})


def task(resource: str, **fields: object) -> dict[str, object]:
    return {"Type": "Task", "Resource": resource, **fields}


HTTP = "arn:aws:states:::http:invoke"


# ---- AWS Step Functions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "fields", "service", "action"),
    [
        pytest.param("arn:aws:states:::sqs:sendMessage", {}, "Amazon SQS", "write", id="sqs"),
        pytest.param("arn:aws:states:::dynamodb:putItem", {}, "Amazon DynamoDB", "write", id="ddb"),
        pytest.param(
            "arn:aws:states:::aws-sdk:dynamodb:getItem", {}, "Amazon DynamoDB", "read", id="sdk"
        ),
        pytest.param("arn:aws:states:::sns:publish", {}, "Amazon SNS", "write", id="sns"),
        pytest.param(
            HTTP,
            {"Parameters": {"ApiEndpoint": "https://api.stripe.com/v1/charges", "Method": "POST"}},
            "Stripe",
            "write",
            id="http-known-host",
        ),
        pytest.param(
            HTTP,
            {"Parameters": {"ApiEndpoint": "https://ledger.example.org/v1/rows", "Method": "GET"}},
            "ledger.example.org",
            "read",
            id="http-unknown-host",
        ),
        pytest.param(
            "arn:aws:lambda:us-east-1:123456789012:function:charge-card",
            {},
            "Lambda charge-card",
            "write",
            id="lambda-arn",
        ),
    ],
)
def test_when_an_asl_task_calls_a_service_then_it_is_a_step_on_that_service(
    resolver: ServiceResolver, resource: str, fields: dict[str, object], service: str, action: str
) -> None:
    doc = read(asl({"A": task(resource, End=True, **fields)}), resolver, "asl")
    assert steps(doc) == [("/States/A", action, (service,), False)]


def test_when_states_do_no_work_then_they_are_not_steps(resolver: ServiceResolver) -> None:
    text = (FIXTURES / "asl" / "hello_world.json").read_text()
    assert read(text, resolver, "asl").steps == ()


@pytest.mark.parametrize(
    ("retrier", "expected"),
    [
        pytest.param(
            {"ErrorEquals": ["States.ALL"], "BackoffRate": 2, "MaxAttempts": 4},
            {
                ("retry", "/States/A/Retry/0"),
                ("backoff_exponential", "/States/A/Retry/0/BackoffRate"),
                ("max_attempts", "/States/A/Retry/0/MaxAttempts"),
            },
            id="exponential",
        ),
        pytest.param(
            {"ErrorEquals": ["States.ALL"]},
            {
                ("retry", "/States/A/Retry/0"),
                ("backoff_exponential", "/States/A/Retry/0"),
                ("max_attempts", "/States/A/Retry/0"),
            },
            id="defaults-are-exponential-and-bounded",
        ),
        pytest.param(
            {"ErrorEquals": ["States.ALL"], "BackoffRate": 1.0, "IntervalSeconds": 5},
            {
                ("retry", "/States/A/Retry/0"),
                ("retry_fixed", "/States/A/Retry/0/BackoffRate"),
                ("max_attempts", "/States/A/Retry/0"),
            },
            id="fixed",
        ),
        pytest.param(
            {"ErrorEquals": ["States.ALL"], "JitterStrategy": "FULL", "MaxAttempts": 2},
            {
                ("retry", "/States/A/Retry/0"),
                ("backoff_exponential", "/States/A/Retry/0"),
                ("max_attempts", "/States/A/Retry/0/MaxAttempts"),
                ("jitter", "/States/A/Retry/0/JitterStrategy"),
            },
            id="jitter",
        ),
        pytest.param({"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}, set(), id="no-retries"),
    ],
)
def test_when_a_task_has_a_retrier_then_its_policy_becomes_claims_on_the_step(
    resolver: ServiceResolver, retrier: dict[str, object], expected: set[tuple[str, str]]
) -> None:
    state = task("arn:aws:states:::sqs:sendMessage", Retry=[retrier], End=True)
    doc = read(asl({"A": state}), resolver)
    got = {(kind, ptr) for kind, ptr, scope in claims(doc) if "/Retry" in ptr}
    assert got == expected
    assert all(c.steps == ("/States/A",) for c in doc.claims if "/Retry" in c.span.pointer)


@pytest.mark.parametrize(
    ("handler", "kinds"),
    [
        pytest.param(
            {"H": task("arn:aws:states:::sqs:sendMessage", Next="F"), "F": {"Type": "Fail"}},
            {"terminal_path"},
            id="sqs-send-then-fail-is-terminal",
        ),
        pytest.param(
            {"H": task("arn:aws:states:::dynamodb:putItem", End=True)},
            {"terminal_path"},
            id="table-write-is-terminal",
        ),
        pytest.param({"H": {"Type": "Fail"}}, {"try_catch"}, id="bare-fail-is-not-terminal"),
        pytest.param({"H": {"Type": "Pass", "End": True}}, {"swallow"}, id="pass-to-end-swallows"),
        pytest.param(
            {"H": task("arn:aws:states:::sns:publish", Next="F"), "F": {"Type": "Fail"}},
            {"try_catch", "alerting"},
            id="alert-then-fail",
        ),
        pytest.param(
            {"H": task("arn:aws:states:::dynamodb:deleteItem", Next="F"), "F": {"Type": "Fail"}},
            {"try_catch"},
            id="delete-is-not-persisting",
        ),
    ],
)
def test_when_a_catch_leads_somewhere_then_its_path_decides_the_claim(
    resolver: ServiceResolver, handler: dict[str, object], kinds: set[str]
) -> None:
    catch = [{"ErrorEquals": ["States.ALL"], "Next": next(iter(handler))}]
    states = {"A": task(HTTP, Catch=catch, End=True), **handler}
    doc = read(asl(states), resolver)
    got = {kind for kind, ptr, _ in claims(doc) if ptr == "/States/A/Catch/0"}
    assert got == kinds
    assert [s.ident for s in doc.steps] == ["/States/A"]  # the failure path is not a step


def test_when_a_catch_runs_cancellations_then_it_is_a_compensation(
    resolver: ServiceResolver,
) -> None:
    doc = read((FIXTURES / "asl" / "travel_saga.json").read_text(), resolver)
    compensations = {c.span.pointer for c in doc.claims if c.kind is K.COMPENSATION}
    assert compensations == {
        "/States/ReserveFlight/Catch/0",
        "/States/ReserveCarRental/Catch/0",
        "/States/ChargeCard/Catch/0",
    }
    assert [s.ident.rsplit("/", 1)[-1] for s in doc.steps] == [
        "ReserveFlight",
        "ReserveCarRental",
        "ChargeCard",
    ]


@pytest.mark.parametrize(
    ("parameters", "kind", "pointer"),
    [
        pytest.param(
            {"Headers": {"Idempotency-Key.$": "$.orderId"}},
            "idempotency",
            "/States/A/Parameters/Headers/Idempotency-Key.$",
            id="stable-header",
        ),
        pytest.param(
            {"Headers": {"Idempotency-Key.$": "States.UUID()"}},
            "unstable_key",
            "/States/A/Parameters/Headers/Idempotency-Key.$",
            id="uuid-header",
        ),
        pytest.param(
            {"ClientToken.$": "$.requestId"},
            "idempotency",
            "/States/A/Parameters/ClientToken.$",
            id="client-token",
        ),
        pytest.param(
            {"ConditionExpression": "attribute_not_exists(pk)"},
            "idempotency",
            "/States/A/Parameters/ConditionExpression",
            id="conditional-write",
        ),
        pytest.param(
            {"Headers": {"Authorization": "Bearer 8f3a9c1e2b7d4f60a5e9c3b1d7f2e8a4"}},
            "hardcoded",
            "/States/A/Parameters/Headers/Authorization",
            id="literal-token",
        ),
        pytest.param(
            {"Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/x/y"}},
            "vault",
            "/States/A/Parameters/Authentication/ConnectionArn",
            id="eventbridge-connection",
        ),
    ],
)
def test_when_task_parameters_carry_keys_or_credentials_then_they_are_claims(
    resolver: ServiceResolver, parameters: dict[str, object], kind: str, pointer: str
) -> None:
    doc = read(asl({"A": task(HTTP, Parameters=parameters, End=True)}), resolver)
    assert (kind, pointer, ("/States/A",)) in claims(doc)


def test_when_a_task_is_an_aws_integration_then_it_runs_under_the_execution_role(
    resolver: ServiceResolver,
) -> None:
    doc = read(asl({"A": task("arn:aws:states:::dynamodb:putItem", End=True)}), resolver)
    assert ("workload_identity", "/States/A/Resource", ("/States/A",)) in claims(doc)


def test_when_a_map_or_parallel_holds_tasks_then_its_retry_and_limits_cover_them(
    resolver: ServiceResolver,
) -> None:
    inner = {
        "StartAt": "Put",
        "States": {"Put": task("arn:aws:states:::sqs:sendMessage", End=True)},
    }
    branch = {"StartAt": "Pub", "States": {"Pub": task("arn:aws:states:::sns:publish", End=True)}}
    states = {
        "M": {
            "Type": "Map",
            "ItemProcessor": inner,
            "MaxConcurrency": 5,
            "Retry": [{"ErrorEquals": ["States.ALL"]}],
            "Next": "P",
        },
        "P": {"Type": "Parallel", "Branches": [branch], "End": True},
    }
    doc = read(asl(states, "M"), resolver)
    assert [s.ident for s in doc.steps] == [
        "/States/M/ItemProcessor/States/Put",
        "/States/P/Branches/0/States/Pub",
    ]
    assert ("throttle_concurrency", "/States/M/MaxConcurrency", (doc.steps[0].ident,)) in claims(
        doc
    )
    assert ("retry", "/States/M/Retry/0", (doc.steps[0].ident,)) in claims(doc)


def test_when_a_template_wraps_the_machine_then_pointers_start_at_the_template(
    resolver: ServiceResolver,
) -> None:
    machine = json.loads(asl({"A": task("arn:aws:states:::sqs:sendMessage", End=True)}))
    doc = read(json.dumps({"Definition": machine}), resolver, "asl")
    assert [s.span.pointer for s in doc.steps] == ["/Definition/States/A"]


# ---- n8n -----------------------------------------------------------------------------------


def n8n(
    *nodes: dict[str, object], connections: dict[str, object] | None = None, **extra: object
) -> str:
    return json.dumps({"nodes": list(nodes), "connections": connections or {}, **extra})


def node(name: str, kind: str, **fields: object) -> dict[str, object]:
    return {"name": name, "type": f"n8n-nodes-base.{kind}", "parameters": {}, **fields}


def link(*names: str) -> dict[str, object]:
    return {
        a: {"main": [[{"node": b, "type": "main", "index": 0}]]}
        for a, b in itertools.pairwise(names)
    }


@pytest.mark.parametrize(
    ("kind", "parameters", "expected"),
    [
        pytest.param("slack", {}, ("write", ("Slack",), False), id="slack"),
        pytest.param("awsSqs", {}, ("write", ("Amazon SQS",), False), id="aws-sqs"),
        pytest.param(
            "googleSheets", {"operation": "read"}, ("read", ("Google Sheets",), False), id="sheets"
        ),
        pytest.param(
            "httpRequest",
            {"url": "https://api.hubapi.com/crm/v3/objects/contacts", "method": "POST"},
            ("write", ("HubSpot",), False),  # HubSpot's API host names HubSpot
            id="http-post",
        ),
        pytest.param(
            "httpRequest",
            {"url": "=https://api.stripe.com/v1/charges"},
            ("read", ("Stripe",), False),
            id="http-default-get",
        ),
        pytest.param("webhook", {}, ("read", ("webhook sender",), True), id="webhook"),
        pytest.param("stripeTrigger", {}, ("read", ("Stripe",), True), id="service-trigger"),
        pytest.param(
            "postgres",
            {"operation": "executeQuery", "query": "SELECT * FROM orders"},
            ("read", ("PostgreSQL",), False),
            id="sql-select",
        ),
    ],
)
def test_when_an_n8n_node_calls_a_service_then_it_is_a_step(
    resolver: ServiceResolver,
    kind: str,
    parameters: dict[str, object],
    expected: tuple[str, tuple[str, ...], bool],
) -> None:
    nodes = (node("N", kind, parameters=parameters), node("Next", "slack"))
    doc = read(n8n(*nodes, connections=link("N", "Next")), resolver, "n8n")
    assert steps(doc)[0] == ("N", *expected)


@pytest.mark.parametrize(
    "kind", ["set", "if", "code", "merge", "scheduleTrigger", "manualTrigger", "stickyNote"]
)
def test_when_an_n8n_node_is_logic_or_a_schedule_then_it_is_not_a_step(
    resolver: ServiceResolver, kind: str
) -> None:
    doc = read(n8n(node("N", kind), node("S", "slack")), resolver)
    assert [s.ident for s in doc.steps] == ["S"]


def test_when_a_node_is_disabled_then_it_is_not_read(resolver: ServiceResolver) -> None:
    doc = read(n8n(node("S", "slack", disabled=True), node("T", "twilio")), resolver)
    assert [s.ident for s in doc.steps] == ["T"]


def test_when_nodes_are_connected_then_steps_follow_the_connections(
    resolver: ServiceResolver,
) -> None:
    nodes = [node("Slack", "slack"), node("Hook", "webhook"), node("Sheet", "googleSheets")]
    doc = read(n8n(*nodes, connections=link("Hook", "Sheet", "Slack")), resolver)
    assert [s.ident for s in doc.steps] == ["Hook", "Sheet", "Slack"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param(
            {"retryOnFail": True, "waitBetweenTries": 2000},
            {
                ("retry", "/nodes/0/retryOnFail"),
                ("retry_fixed", "/nodes/0/waitBetweenTries"),
                ("max_attempts", "/nodes/0/retryOnFail"),
            },
            id="retry-on-fail",
        ),
        pytest.param(
            {"onError": "continueRegularOutput"},
            {("swallow", "/nodes/0/onError")},
            id="continue-regular-output",
        ),
        pytest.param(
            {"continueOnFail": True},
            {("swallow", "/nodes/0/continueOnFail")},
            id="continue-on-fail",
        ),
        pytest.param(
            {"onError": "continueErrorOutput"},
            {("swallow", "/nodes/0/onError")},
            id="unwired-error-output",
        ),
        pytest.param(
            {"credentials": {"slackOAuth2Api": {"id": "1", "name": "Slack"}}},
            {("rotation", "/nodes/0/credentials")},
            id="oauth2-credential-refreshes",
        ),
        pytest.param(
            {"credentials": {"slackApi": {"id": "1", "name": "Slack"}}},
            set(),
            id="n8n-credential-store-is-not-a-vault",
        ),
        pytest.param(
            {"parameters": {"operation": "upsert"}},
            {("idempotency", "/nodes/0/parameters/operation")},
            id="upsert",
        ),
    ],
)
def test_when_a_node_sets_resilience_options_then_they_are_claims_on_its_step(
    resolver: ServiceResolver, fields: dict[str, object], expected: set[tuple[str, str]]
) -> None:
    doc = read(n8n(node("S", "slack", **fields)), resolver)
    assert {(kind, ptr) for kind, ptr, _ in claims(doc)} == expected
    assert all(c.steps == ("S",) for c in doc.claims)


def _header(name: str, value: str) -> dict[str, object]:
    return {"headerParameters": {"parameters": [{"name": name, "value": value}]}, "method": "POST"}


HEADER = "/nodes/0/parameters/headerParameters/parameters/0/value"


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        pytest.param(
            "Authorization", "Bearer 8f3a9c1e2b7d4f60a5e9c3b1d7f2e8a4", "hardcoded", id="token"
        ),
        pytest.param(
            "Authorization", "=Bearer 8f3a9c1e2b7d4f60a5e9", "hardcoded", id="no-template"
        ),
        pytest.param("Authorization", "=Bearer {{ $secrets.vault.crm }}", "vault", id="secrets"),
        pytest.param("X-API-Key", "={{ $env.CRM_KEY }}", "env_var", id="env"),
        pytest.param("Idempotency-Key", "={{ $json.order_id }}", "idempotency", id="stable-key"),
        pytest.param("Idempotency-Key", "={{ $execution.id }}", "unstable_key", id="execution"),
        pytest.param("Idempotency-Key", "={{ $now.toISO() }}", "unstable_key", id="clock"),
    ],
)
def test_when_an_http_node_sends_a_header_then_its_value_is_read(
    resolver: ServiceResolver, name: str, value: str, kind: str
) -> None:
    parameters = {"url": "https://api.example.com/x", **_header(name, value)}
    doc = read(n8n(node("H", "httpRequest", parameters=parameters)), resolver)
    assert (kind, HEADER, ("H",)) in claims(doc)


def test_when_the_error_output_stores_the_item_then_it_is_terminal_and_not_a_step(
    resolver: ServiceResolver,
) -> None:
    text = (FIXTURES / "n8n" / "lead_webhook_hardcoded_token.json").read_text()
    doc = read(text, resolver)
    assert [s.ident for s in doc.steps] == ["Lead webhook", "Create Pipedrive lead"]
    assert ("terminal_path", "/nodes/1/onError", ("Create Pipedrive lead",)) in claims(doc)


def test_when_a_workflow_has_an_error_workflow_then_it_is_failure_handling_for_every_step(
    resolver: ServiceResolver,
) -> None:
    doc = read(n8n(node("S", "slack"), settings={"errorWorkflow": "42"}), resolver)
    assert ("error_handling", "/settings/errorWorkflow", None) in claims(doc)


def test_when_a_wait_node_precedes_a_call_then_it_paces_it(resolver: ServiceResolver) -> None:
    nodes = [node("W", "wait"), node("S", "slack")]
    doc = read(n8n(*nodes, connections=link("W", "S")), resolver)
    assert ("throttle_rate", "/nodes/0", ("S",)) in claims(doc)


# ---- the Prover's own schema ---------------------------------------------------------------


def test_when_a_document_uses_the_prover_schema_then_steps_and_defaults_are_read(
    resolver: ServiceResolver,
) -> None:
    doc = read((FIXTURES / "prover" / "resilient.yaml").read_text(), resolver, "prover")
    assert steps(doc) == [
        ("trigger", "read", ("Stripe",), True),
        ("record-payment", "write", ("Salesforce",), False),
        ("store-receipt", "write", ("Amazon S3",), False),
    ]
    got = claims(doc)
    assert ("backoff_exponential", "/defaults/retry/strategy", None) in got
    assert ("terminal_path", "/defaults/error_path", None) in got
    assert ("idempotency", "/steps/0/idempotency_key", ("record-payment",)) in got
    assert ("throttle_rate", "/steps/0/rate_limit/requests_per_second", ("record-payment",)) in got
    assert ("workload_identity", "/steps/1/credentials/source", ("store-receipt",)) in got


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        pytest.param("idempotency_key", None, ("idempotency", "negated"), id="null-key"),
        pytest.param("idempotency_key", "uuid4()", ("unstable_key", "asserted"), id="uuid-key"),
        pytest.param("retry", {"strategy": "fixed"}, ("retry_fixed", "asserted"), id="fixed"),
        pytest.param("retry", {"strategy": "none"}, ("retry", "negated"), id="no-retry"),
        pytest.param(
            "retry",
            {"strategy": "exponential", "max_attempts": "unlimited"},
            ("unbounded", "asserted"),
            id="unlimited",
        ),
        pytest.param("error_path", {"type": "log"}, ("swallow", "asserted"), id="log-only"),
        pytest.param("error_path", {"type": "none"}, ("terminal_path", "negated"), id="none"),
        pytest.param("credentials", {"source": "env"}, ("env_var", "asserted"), id="env"),
        pytest.param(
            "credentials", {"source": "hardcoded"}, ("hardcoded", "asserted"), id="hardcoded"
        ),
        pytest.param("timeout", None, ("timeout", "negated"), id="no-timeout"),
    ],
)
def test_when_a_prover_step_states_a_mechanism_then_it_becomes_that_claim(
    resolver: ServiceResolver, field: str, value: object, expected: tuple[str, str]
) -> None:
    step = {"id": "s", "service": "Stripe", "action": "charge", field: value}
    doc = read(json.dumps({"steps": [step]}), resolver, "prover")
    assert expected in {(c.kind.value, c.modality) for c in doc.claims}
    assert all(c.steps == ("s",) for c in doc.claims)


def test_when_a_prover_value_is_unknown_then_it_is_an_issue_not_a_guess(
    resolver: ServiceResolver,
) -> None:
    step = {"service": "Stripe", "action": "write", "error_path": {"type": "dql"}}
    doc = read(json.dumps({"steps": [step]}), resolver)
    assert doc.claims == ()
    assert [i.span.pointer for i in doc.issues] == ["/steps/0/error_path/type"]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"config": {"retries": 3}}, id="config"),
        pytest.param({"services": {"web": {"image": "nginx", "ports": ["80:80"]}}}, id="compose"),
        pytest.param({"name": "app", "scripts": {"test": "pytest"}}, id="package-json"),
    ],
)
def test_when_a_document_has_no_known_format_nor_a_step_list_then_prose_reads_it(
    resolver: ServiceResolver, value: object
) -> None:
    assert read_structured(json.dumps(value), resolver).docs == ()


# ---- the published JSON Schema -------------------------------------------------------------


def test_the_published_json_schema_is_a_valid_2020_12_schema() -> None:
    schema = prover_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for example in schema["examples"]:
        jsonschema.Draft202012Validator(schema).validate(example)


@pytest.mark.parametrize("name", ["resilient.yaml", "env_credentials.json"])
def test_the_prover_fixtures_validate_against_the_published_schema(name: str) -> None:
    document = yaml.safe_load((FIXTURES / "prover" / name).read_text())
    jsonschema.Draft202012Validator(prover_json_schema()).validate(document)


def test_the_readme_example_validates_against_the_published_schema() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("```yaml\n# workflow-prover schema example")
    block = text[start + len("```yaml\n") : text.index("```", start + 7)]
    jsonschema.Draft202012Validator(prover_json_schema()).validate(yaml.safe_load(block))


def test_the_json_schema_can_be_served_as_an_mcp_resource() -> None:
    import asyncio

    from mcp.server.mcpserver import MCPServer

    from workflow_prover.schemas import SCHEMA_URI, prover_schema_text

    server: MCPServer[object] = MCPServer("schema-resource-test")
    server.resource(SCHEMA_URI, name="workflow-schema", mime_type="application/schema+json")(
        prover_schema_text
    )
    [content] = asyncio.run(server.read_resource(SCHEMA_URI))
    assert json.loads(str(content.content)) == prover_json_schema()
