"""Ad-hoc JSON/YAML sketches: steps from their step lists, claims by key name, the rest prose."""

from __future__ import annotations

import textwrap

import pytest

from workflow_prover.analyzer import Analyzer
from workflow_prover.extract.services.catalog import ServiceCatalog
from workflow_prover.lexicon.loader import load_lexicons
from workflow_prover.models import Report
from workflow_prover.schemas import SchemaDoc, ServiceResolver, read_structured


@pytest.fixture(scope="module")
def resolver() -> ServiceResolver:
    lexicons = load_lexicons()
    return ServiceResolver(lexicons, ServiceCatalog(lexicons))


def yaml_doc(text: str) -> str:
    return "```yaml\n" + textwrap.dedent(text) + "```\n"


def lenient(text: str, resolver: ServiceResolver) -> SchemaDoc:
    [doc] = read_structured(text, resolver).docs
    assert doc.format == "lenient"
    return doc


def codes(report: Report) -> set[str]:
    return {f.code for f in report.findings}


@pytest.mark.parametrize("key", ["steps", "tasks", "activities", "jobs", "nodes", "stages"])
def test_when_a_mapping_has_a_step_list_then_its_items_are_steps(
    resolver: ServiceResolver, key: str
) -> None:
    doc = lenient(yaml_doc(f"{key}:\n  - target: Stripe\n    op: list\n"), resolver)
    assert [(s.action, s.services[0].name) for s in doc.steps] == [("read", "Stripe")]


ITEMS = [
    pytest.param("get: stripe.charges.list(created > last_run)", ("read", "Stripe"), id="verb-key"),
    pytest.param("insert: ledger_db.payments", ("write", "ledger_db"), id="verb-key-database"),
    pytest.param("postgres.insert: rollouts", ("write", "PostgreSQL"), id="dotted-key"),
    pytest.param("call: easypost.shipments.create", ("write", "EasyPost"), id="dotted-call"),
    pytest.param("{system: HubSpot, op: search}", ("read", "HubSpot"), id="service-and-action"),
    pytest.param("{target: Twilio}", ("write", "Twilio"), id="unsaid-action-writes"),
    pytest.param("{source: BigQuery}", ("read", "Google BigQuery"), id="a-source-is-read"),
    pytest.param(
        "{name: read_catalog, target: BigQuery}", ("read", "Google BigQuery"), id="name-says-read"
    ),
    pytest.param(
        "{target: google_merchant_api}  # products.insert (replaces on the same offerId)",
        ("write", "google_merchant_api"),
        id="a-comment-beside-an-unknown-service-keeps-the-step",
    ),
    pytest.param(
        "run: curl https://api.example.com/hooks -X POST", ("write", "api.example.com"), id="curl"
    ),
    pytest.param(
        "call: GET https://api.notion.com/v1/databases/{db}/query",
        ("read", "Notion"),
        id="an-http-method-and-url-read-the-host",
    ),
    pytest.param(
        "call: POST https://api.partnerx.io/crm/v3/objects/contacts/batch/upsert",
        ("write", "api.partnerx.io"),
        id="a-url-path-is-no-sentence",
    ),
    pytest.param(
        "call: POST https://api.hubapi.com/crm/v3/objects/contacts",
        ("write", "HubSpot"),
        id="an-api-host-names-its-product",
    ),
]


@pytest.mark.parametrize(("item", "expected"), ITEMS)
def test_when_an_item_names_a_service_then_it_is_a_step_with_its_action(
    resolver: ServiceResolver, item: str, expected: tuple[str, str]
) -> None:
    doc = lenient(yaml_doc(f"steps:\n  - {item}\n"), resolver)
    assert [(s.action, s.services[0].name) for s in doc.steps] == [expected]


def test_when_a_database_is_named_by_its_head_word_then_it_is_a_database(
    analyzer: Analyzer,
) -> None:
    report = analyzer.analyze(yaml_doc("steps:\n  - insert: ledger_db.payments\n"))
    assert {(s.name, s.category) for s in report.services} == {("ledger_db", "database")}


CLAIMS = [
    pytest.param("retry: 3", {("retry", "asserted"), ("max_attempts", "asserted")}, id="count"),
    pytest.param("retries: 0", {("retry", "negated")}, id="zero-retries"),
    pytest.param(
        "retry: {backoff: exponential, max_attempts: 5}",
        {("retry", "asserted"), ("backoff_exponential", "asserted"), ("max_attempts", "asserted")},
        id="policy",
    ),
    pytest.param(
        "retry: {backoffCoefficient: 2.0, maximumAttempts: 4}",
        {("retry", "asserted"), ("backoff_exponential", "asserted"), ("max_attempts", "asserted")},
        id="temporal-camel-case",
    ),
    pytest.param(
        "retry: {backoff_coefficient: 1.0}",
        {("retry", "asserted"), ("retry_fixed", "asserted")},
        id="coefficient-one-is-fixed",
    ),
    pytest.param(
        "retry: {attempts: 4, delay: 2s}",
        {("retry", "asserted"), ("max_attempts", "asserted"), ("retry_fixed", "asserted")},
        id="delay-without-backoff-is-fixed",
    ),
    pytest.param("on_failure: dead_letter", {("terminal_path", "asserted")}, id="dlq-word"),
    pytest.param("on_error: log", {("swallow", "asserted")}, id="log-and-skip"),
    pytest.param("on_error: fail the run", {("no_handling", "asserted")}, id="crash"),
    pytest.param(
        "on_failure: null",
        {("terminal_path", "negated"), ("compensation", "negated")},
        id="null-is-none",
    ),
    pytest.param("dead_letter: ~", {("terminal_path", "negated")}, id="tilde-is-none"),
    pytest.param("dlq: orders-dlq  # TODO", {("terminal_path", "planned")}, id="todo-is-planned"),
    pytest.param("dlq: orders-dlq  # later", {("terminal_path", "planned")}, id="later"),
    pytest.param(
        "dlq: orders-dlq  # not designed yet", {("terminal_path", "planned")}, id="not-designed"
    ),
    pytest.param("idempotency_key: order.id", {("idempotency", "asserted")}, id="stable-key"),
    pytest.param("dedupe_key: uuid4()", {("unstable_key", "asserted")}, id="fresh-uuid"),
    pytest.param(
        'idempotency_key: "${visit.id}-${now_iso}"',
        {("unstable_key", "asserted")},
        id="templated-clock-is-unstable",
    ),
    pytest.param(
        'idempotency_key: "${visit.id}-${snowflake_id}"',
        {("idempotency", "asserted")},
        id="templated-id-is-stable",
    ),
    pytest.param("dedupe: false", {("idempotency", "negated")}, id="false-is-none"),
    pytest.param("secrets: vault", {("vault", "asserted")}, id="vault"),
    pytest.param("credentials: AWS Secrets Manager", {("vault", "asserted")}, id="secrets-manager"),
    pytest.param("auth: env", {("env_var", "asserted")}, id="env-var"),
    pytest.param("timeout: 30s", {("timeout", "asserted")}, id="timeout"),
    pytest.param(
        'dead_letter_table: "ops.push_failed"',
        {("terminal_path", "asserted")},
        id="a-mechanism-key-and-a-word-more",
    ),
    pytest.param(
        "retry_dlq_enabled: false",
        {("terminal_path", "negated")},
        id="a-compound-key-is-its-last-mechanism",
    ),
    pytest.param(
        "secret_rotation_days: 30", {("rotation", "asserted")}, id="a-compound-key-s-head-names-it"
    ),
    pytest.param(
        "retry_on_timeout: true",
        {("retry", "asserted")},
        id="a-preposition-ends-the-head-s-search",
    ),
]


@pytest.mark.parametrize(("line", "expected"), CLAIMS)
def test_when_a_key_states_a_mechanism_then_its_name_and_value_make_the_claim(
    resolver: ServiceResolver, line: str, expected: set[tuple[str, str]]
) -> None:
    doc = lenient(yaml_doc(f"steps:\n  - create: stripe.charges\n{line}\n"), resolver)
    assert {(c.kind.value, c.modality) for c in doc.claims} == expected
    assert all(c.steps is None for c in doc.claims)  # at the top: every step


@pytest.mark.parametrize(
    ("action", "keyed"), [("upsert", True), ("merge", True), ("create", False)]
)
def test_when_an_items_action_is_an_upsert_then_it_is_idempotent_by_itself(
    analyzer: Analyzer, action: str, keyed: bool
) -> None:
    text = yaml_doc(f"steps:\n  - id: record\n    action: {action}\n    target: salesforce\n")
    codes = {f.code for f in analyzer.analyze(text).findings}
    assert ("WRITE_WITHOUT_IDEMPOTENCY" not in codes) is keyed


@pytest.mark.parametrize(
    ("path", "keyed"), [("contacts/batch/upsert", True), ("contacts/batch/create", False)]
)
def test_when_an_http_calls_path_ends_in_upsert_then_it_is_idempotent_by_itself(
    analyzer: Analyzer, path: str, keyed: bool
) -> None:
    text = yaml_doc(f"steps:\n  - id: push\n    call: POST https://api.hubapi.com/crm/v3/{path}\n")
    codes = {f.code for f in analyzer.analyze(text).findings}
    assert ("WRITE_WITHOUT_IDEMPOTENCY" not in codes) is keyed


def test_when_a_toml_line_has_a_comment_then_the_prose_reader_reads_it(
    analyzer: Analyzer,
) -> None:
    text = '```toml\n[[steps]]\nname = "push"\ntarget = "Shopify"  # an upsert on the sku\n```\n'
    claims = analyzer.analyze(text).claims
    assert any(c.kind == "idempotency" and c.modality == "asserted" for c in claims), claims


def test_when_a_mechanism_is_in_an_item_then_it_is_about_that_step(
    resolver: ServiceResolver,
) -> None:
    text = yaml_doc(
        """\
        steps:
          - get: stripe.charges.list()
          - upsert: salesforce.opportunities
            idempotency_key: stripe_charge_id
        """
    )
    doc = lenient(text, resolver)
    [claim] = doc.claims
    assert claim.steps == (doc.steps[1].ident,)
    assert claim.span.pointer == "/steps/1/idempotency_key"
    assert text[claim.span.start : claim.span.end] == "idempotency_key: stripe_charge_id"


def test_when_a_mechanism_is_keyed_by_service_then_it_covers_that_service_only(
    analyzer: Analyzer,
) -> None:
    text = yaml_doc(
        """\
        steps:
          - {target: ServiceNow, op: list}
          - {target: Salesforce, op: upsert, idempotency_key: wo_id}
        rate_limits:
          servicenow: 20 rps
        """
    )
    report = analyzer.analyze(text)
    limited = {f.service for f in report.findings if f.code == "NO_RATE_LIMIT_HANDLING"}
    assert limited == {"Salesforce"}


SECRET_KEYS = [
    pytest.param(
        ["sendgrid_api_key: env:SENDGRID_API_KEY", "billing_svc_token: vault://kv/billing"],
        {"SendGrid"},
        id="a-secret-key-named-for-a-service-and-valued-by-an-env-var-reference-is-no-vault",
    ),
    pytest.param(
        ["sendgrid_api_key: ${SENDGRID_API_KEY}", "billing_svc_token: vault://kv/billing"],
        {"SendGrid"},
        id="a-shell-style-env-var-reference-is-no-vault",
    ),
    pytest.param(
        ["sendgrid_api_key: vault://kv/sendgrid"],
        {"billing-svc.internal"},
        id="a-vault-reference-under-a-service-s-key-covers-that-service-only",
    ),
]


@pytest.mark.parametrize(("lines", "unvaulted"), SECRET_KEYS)
def test_when_a_secret_key_names_a_service_then_its_value_is_about_that_service(
    analyzer: Analyzer, lines: list[str], unvaulted: set[str]
) -> None:
    text = yaml_doc(
        "steps:\n"
        "  - action: GET https://billing-svc.internal/invoices\n"
        "  - action: POST https://api.sendgrid.com/v3/mail/send\n"
        "secrets:\n" + "".join(f"  {line}\n" for line in lines)
    )
    report = analyzer.analyze(text)
    assert {f.service for f in report.findings if f.code == "NO_VAULT_REFERENCE"} == unvaulted


def test_when_a_value_is_a_sentence_then_the_prose_reader_reads_it_for_its_claims(
    analyzer: Analyzer,
) -> None:
    text = yaml_doc(
        """\
        steps:
          - {target: Stripe, op: list}
        on_exhausted: insert the charge into charges_failed, replayed nightly by ops
        """
    )
    report = analyzer.analyze(text)
    kinds = {c.kind.value for c in report.claims}
    assert {"error_handling", "terminal_path", "replay"} <= kinds
    assert [s.text for s in report.steps] == ["Stripe"]


def test_when_an_item_is_a_sentence_then_the_prose_reader_makes_its_step(
    analyzer: Analyzer,
) -> None:
    text = yaml_doc("steps:\n  - fetch new payments from Stripe\n  - target: HubSpot\n")
    report = analyzer.analyze(text)
    assert {s.services[0] for s in report.steps} == {"Stripe", "HubSpot"}


@pytest.mark.parametrize(
    "text",
    [
        "Release notes. Before we merge:\nsteps: stripe, then the CRM\nopen question: retry?\n",
        "notes: nothing here\n",
    ],
)
def test_when_a_text_only_parses_as_yaml_by_accident_then_it_stays_prose(
    resolver: ServiceResolver, text: str
) -> None:
    assert not [d for d in read_structured(text, resolver).docs if d.format == "lenient"]


PROVER = """\
$schema: urn:workflow-prover:schema:workflow:v1
steps:
  - id: charge
    service: Stripe
    action: create
    idempotency_key: order.id
    on_failure: dlq   # later
    retry_policy: {backoff: exponential, max_attempts: 5}
  - id: record
    service: Postgres
    action: insert
    idempotency_key: order.id
    dead_letter: failed_payments
secrets: all credentials live in HashiCorp Vault
x-owner: payments team
"""


def test_when_the_provers_schema_has_keys_it_does_not_define_then_each_is_reported_and_read(
    analyzer: Analyzer,
) -> None:
    report = analyzer.analyze(PROVER)
    unread = {
        n.evidence[0].pointer: n.message for n in report.notes if n.code == "SCHEMA_KEY_UNREAD"
    }
    assert set(unread) == {
        "/steps/0/on_failure",
        "/steps/0/retry_policy",
        "/steps/1/dead_letter",
        "/secrets",
    }
    assert "terminal_path" in unread["/steps/1/dead_letter"]
    by_step = {f.code: f.step for f in report.findings if f.severity == "blocker"}
    assert by_step == {"STEP_WITHOUT_FAILURE_PATH": 1}  # its DLQ is only planned ('# later')
    assert "NO_VAULT_REFERENCE" not in codes(report)


def test_when_an_item_is_a_sentence_about_a_known_service_then_it_is_a_step_and_prose_claims(
    analyzer: Analyzer,
) -> None:
    text = yaml_doc(
        """\
        steps:
          - consume: sqs fault-events
          - create_ticket: Jira Service Management, JQL search on fault_id before creating
        retry: exponential, 5 attempts
        """
    )
    report = analyzer.analyze(text)
    [ticket] = [s for s in report.steps if s.services == ["Jira Service Management"]]
    assert ticket.action == "write"
    assert "WRITE_WITHOUT_IDEMPOTENCY" not in {f.code for f in report.findings}


@pytest.mark.parametrize(
    ("key", "keyed"),
    [
        ('"{{ request.id }}"', True),  # a template that refers to an id
        ("messageId", True),
        ('"k_9fQ2mXvR7tLp3ZkW8yN1"', False),  # a literal: a secret, never a key
    ],
)
def test_when_a_task_has_a_bare_key_naming_an_id_then_it_is_that_steps_idempotency_key(
    analyzer: Analyzer, key: str, keyed: bool
) -> None:
    text = f"tasks:\n  - action: refund\n    service: braintree\n    key: {key}\n"
    report = analyzer.analyze(text)
    unkeyed = [f.step for f in report.findings if f.code == "WRITE_WITHOUT_IDEMPOTENCY"]
    assert (unkeyed == []) is keyed


@pytest.mark.parametrize(
    ("extra", "kind", "modality"),
    [
        ('"dlq": "maybe later"', "terminal_path", "planned"),  # the value hedges itself
        ('"dlq": "sqs:orders-dlq"', "terminal_path", "asserted"),
        (
            '"retries": {"mode": "exponential", "max_attempts": 4}',
            "backoff_exponential",
            "asserted",
        ),
    ],
)
def test_when_a_sketch_value_says_how_a_mechanism_stands_then_that_is_its_reading(
    analyzer: Analyzer, extra: str, kind: str, modality: str
) -> None:
    text = (
        '{"steps": [{"id": 1, "do": "upsert", "target": "gainsight", "key": "account_id"}], '
        + extra
        + "}"
    )
    said = [c.modality for c in analyzer.analyze(text).claims if c.kind == kind]
    assert said and said[0] == modality, said


@pytest.mark.parametrize("value", ["paid", "our api key"])
def test_when_a_bare_key_holds_words_that_name_no_id_then_it_is_no_idempotency_key(
    analyzer: Analyzer, value: str
) -> None:
    text = f"tasks:\n  - action: refund\n    service: braintree\n    key: {value}\n"
    report = analyzer.analyze(text)
    assert [f.step for f in report.findings if f.code == "WRITE_WITHOUT_IDEMPOTENCY"] == [1]


TOML_JOB = """\
[job]
name = "telematics-ingest"

[[step]]
name = "store"
action = "insert"
target = "clickhouse://fleet"
dedupe = "ReplacingMergeTree ORDER BY (vin, ping_id)"

[[step]]
name = "notify_dispatch"
action = "send"
target = "Onfleet API"

[retry]
policy = "exponential"
max_attempts = 7

[dead_letter]
topic = "vehicle.pings.dlq"

[secrets]
clickhouse = "vault:kv/fleet/clickhouse"
onfleet = { env = "ONFLEET_API_KEY" }
"""


@pytest.mark.parametrize(
    "text", [TOML_JOB, "```toml\n" + TOML_JOB + "```\n"], ids=["whole-text", "fenced"]
)
def test_when_a_toml_job_config_has_step_tables_then_they_are_steps_with_their_keys(
    analyzer: Analyzer, text: str
) -> None:
    report = analyzer.analyze(text)
    assert [(s.action, s.services) for s in report.steps] == [
        ("write", ["ClickHouse"]),
        ("write", ["Onfleet"]),
    ]
    # the dedupe key covers its own step; the env var leaves Onfleet without a vault
    found = {(f.code, f.service) for f in report.findings if f.severity == "blocker"}
    assert found == {("WRITE_WITHOUT_IDEMPOTENCY", "Onfleet"), ("NO_VAULT_REFERENCE", "Onfleet")}
    quoted = [c.evidence[0].text for c in report.claims if c.kind.value == "terminal_path"]
    assert quoted == ["[dead_letter]"]


def test_when_a_text_has_a_bracketed_heading_but_no_key_value_lines_then_it_stays_prose(
    analyzer: Analyzer,
) -> None:
    report = analyzer.analyze("[Draft]\nWe create the invoice in Xero with retries.")
    assert [s.services for s in report.steps] == [["Xero"]]


@pytest.mark.parametrize(
    ("command", "step"),
    [
        pytest.param(
            "aws dynamodb scan --table-name orders", ("read", ["Amazon DynamoDB"]), id="scan"
        ),
        pytest.param("aws s3api put-object --bucket b --key k", ("write", ["Amazon S3"]), id="put"),
        pytest.param("aws sqs send-message --queue-url $Q", ("write", ["Amazon SQS"]), id="send"),
    ],
)
def test_when_a_ci_step_runs_the_aws_cli_then_its_service_and_command_make_the_step(
    analyzer: Analyzer, command: str, step: tuple[str, list[str]]
) -> None:
    text = f"jobs:\n  export:\n    steps:\n      - name: one\n        run: {command}\n"
    assert [(s.action, s.services) for s in analyzer.analyze(text).steps] == [step]


TOML_JOB = (
    "```toml\n[job.refund_sync]\n"
    'steps = ["adyen.refund", "netsuite.credit_memo.create", "sendgrid.mail.send"]\n'
    "[job.refund_sync.failure]\n"
    'target = "refunds.approved.dlq"\n```\n'
)


def test_when_a_step_list_holds_dotted_calls_then_each_is_a_step_on_its_service(
    analyzer: Analyzer,
) -> None:
    steps = analyzer.analyze(TOML_JOB).steps
    assert [(s.action, s.services, s.text) for s in steps] == [
        ("write", ["Adyen"], "adyen.refund"),
        ("write", ["NetSuite"], "netsuite.credit_memo.create"),
        ("write", ["SendGrid"], "sendgrid.mail.send"),
    ]


def test_when_a_failure_table_names_a_dlq_then_every_step_has_a_terminal_path(
    analyzer: Analyzer,
) -> None:
    report = analyzer.analyze(TOML_JOB)
    assert len(report.steps) == 3
    assert not {f.code for f in report.findings} & {
        "NO_FAILURE_HANDLING",
        "STEP_WITHOUT_FAILURE_PATH",
    }


def test_when_prose_names_a_kind_of_write_then_it_covers_the_schemas_steps_of_that_kind(
    analyzer: Analyzer,
) -> None:
    """'Refunds carry an Idempotency-Key' beside a schema's steps: the refund, not the rest."""
    text = TOML_JOB + "Refunds carry an Idempotency-Key (the refund request id)."
    steps = [
        f.step for f in analyzer.analyze(text).findings if f.code == "WRITE_WITHOUT_IDEMPOTENCY"
    ]
    assert steps == [2, 3]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        pytest.param(
            "steps:\n  - {do: receive, service: stripe}\n  - {do: create, service: zendesk}\n",
            [("read", "Stripe", True), ("write", "Zendesk", False)],
            id="an-item-whose-action-is-receive-is-a-delivery-to-us",
        ),
        pytest.param(
            "trigger: stripe webhook charge.dispute.created\nsteps:\n"
            "  - {do: receive, service: stripe}\n  - {do: create, service: zendesk}\n",
            [("read", "Stripe", True), ("write", "Zendesk", False)],
            id="a-receive-item-and-the-trigger-from-its-service-are-one-delivery",
        ),
    ],
)
def test_when_an_item_receives_then_it_is_the_delivery_that_starts_the_run(
    resolver: ServiceResolver, doc: str, expected: list[tuple[str, str, bool]]
) -> None:
    steps = lenient(yaml_doc(doc), resolver).steps
    assert [(s.action, s.services[0].name, s.inbound) for s in steps] == expected
