"""Reading prose: which steps a text describes and what each mechanism is said to cover.

Each row is a sentence shape seen in real descriptions, with what a reviewer reads in it.
"""

from __future__ import annotations

import pytest

from workflow_prover.analyzer import Analyzer

# (text, the steps as (action, services), in order)
STEPS = [
    (
        "A worker pushes each dose from our Postgres to the state registry's REST API.",
        [("read", ["PostgreSQL"]), ("write", ["state registry's REST API"])],
    ),
    (
        "We post each invoice to the Xero API. When Xero answers 429, we wait and retry.",
        [("write", ["Xero"])],
    ),
    (
        "When a Stripe payment fails, we open a Zendesk ticket.",
        [("read", ["Stripe"]), ("write", ["Zendesk"])],
    ),
    (
        "Requests arrive on an SQS queue, one per click on Upgrade, and we update Stripe.",
        [("read", ["Amazon SQS"]), ("write", ["Stripe"])],
    ),
    (
        "We upsert the order into our Supabase Postgres, keyed on the Toast GUID.",
        [("write", ["Supabase"])],
    ),
    (
        "We submit each transfer to the Stripe API with EndToEndId = instruction ID.",
        [("write", ["Stripe"])],
    ),
    (
        "Workday calls the Logic App's HTTP trigger when a hire is completed; the app reads "
        "the worker from the Workday API and creates the user in Okta.",
        [("read", ["Workday"]), ("read", ["Workday"]), ("write", ["Okta"])],
    ),
    (
        "We publish failures to the export-dlq on SQS, and finance ops get a Slack ping to "
        "redrive it.",
        [],
    ),
    (
        "Greenhouse monitoring: we read sensor data from InfluxDB.",
        [("read", ["InfluxDB"])],
    ),
    (
        "Every night we pull orders from Shopify and upsert each one into our Postgres\n"
        "warehouse, keyed on the order ID.",
        [("read", ["Shopify"]), ("write", ["PostgreSQL"])],
    ),
    (
        "A job creates the shipment in ShipHero through its GraphQL API (the BigCommerce order "
        "ID is the partner_order_id).",
        [("write", ["ShipHero"])],
    ),
    (
        "ORU messages from Mirth Connect arrive on our RabbitMQ queue; the consumer writes an "
        "Observation to our FHIR server.",
        [("read", ["RabbitMQ"]), ("write", ["FHIR server"])],
    ),
    (
        "Requests submitted on the Drupal webform arrive as messages on our Azure Service Bus "
        "subscription; a function inserts each into Postgres.",
        [("read", ["Azure Service Bus"]), ("write", ["PostgreSQL"])],
    ),
    (
        "We open a matter in Civica's hosted records system through its REST API.",
        [("write", ["Civica"])],
    ),
    (
        "We post a line to Slack; it's a plain chat.postMessage.",
        [("write", ["Slack"])],
    ),
    (
        "We post each invoice to the Xero API. When Xero is down, we park the invoice.",
        [("write", ["Xero"])],
    ),
    (
        "The job reads recipients from the SIS replica (Cloud SQL MySQL) and texts them "
        "through Twilio.",
        [("read", ["Google Cloud SQL", "MySQL"]), ("write", ["Twilio"])],
    ),
]


@pytest.mark.parametrize(("text", "expected"), STEPS, ids=[s[0][:50] for s in STEPS])
def test_when_a_design_is_described_then_its_steps_are_read(
    analyzer: Analyzer, text: str, expected: list[tuple[str, list[str]]]
) -> None:
    steps = analyzer.analyze(text).steps
    assert [(s.action, s.services) for s in steps] == expected


# (text, claim kind, modality (None: no such claim), the services it covers (None: every step))
CLAIMS = [
    (
        "We sync Flexport, Coupa and Snowflake. Flexport and Coupa tokens, and the Snowflake "
        "key pair, are in Vault.",
        "vault",
        "asserted",
        ["Coupa", "Flexport", "Snowflake"],
    ),
    (
        "We push results to PlayFab. A result that still hasn't gone through is written to "
        "results_failed.",
        "terminal_path",
        "asserted",
        None,
    ),
    (
        "We post orders to NetSuite; an order that can't be posted, at any step, ends up in "
        "orders_parking.",
        "terminal_path",
        "asserted",
        None,
    ),
    (
        "We send each file to Document AI; files already in the processed_files table are skipped.",
        "idempotency",
        "asserted",
        None,
    ),
    (
        "We mark orders delivered in Shopify and text customers through MessageBird. The "
        "Shopify and MessageBird tokens and the Postgres password come from Doppler.",
        "vault",
        "asserted",
        ["MessageBird", "PostgreSQL", "Shopify"],
    ),
    (
        "We post jobs to ServiceNow.\nretry:\n  attempts: 4\n  delay: 2s   # constant",
        "retry_fixed",
        "asserted",
        None,
    ),
    (
        "We list work orders from ServiceNow and upsert jobs into Salesforce.\n"
        "rate_limits:\n  servicenow: 20 rps\nsecrets: vault",
        "throttle_rate",
        "asserted",
        ["ServiceNow"],
    ),
    (
        "We update the Stripe subscription, then write the new plan to our accounts database "
        "with an upsert on account_id.",
        "idempotency",
        "asserted",
        ["accounts database"],
    ),
    (
        "Stripe calls back off exponentially; a job that fails five times is moved to "
        "upgrades-dlq.",
        "terminal_path",
        "asserted",
        None,
    ),
    (
        "We write each plan to our accounts database. The worker uses RDS IAM auth.",
        "workload_identity",
        "asserted",
        ["Amazon RDS", "accounts database"],
    ),
    (
        "We pull hours from the Harvest API and insert them into Postgres. Entries have a "
        "unique constraint on harvest_entry_id.",
        "idempotency",
        "asserted",
        None,
    ),
    (
        "We read pay runs from Gusto and create batches in Modern Treasury. Gusto and Modern "
        "Treasury credentials are stored in AWS Secrets Manager.",
        "vault",
        "asserted",
        ["Gusto", "Modern Treasury"],
    ),
    (
        "We push leads through the LinkedIn Marketing API. Its access token is in the cron "
        "host's environment for now.",
        "env_var",
        "asserted",
        ["LinkedIn Marketing API"],
    ),
    ("We push leads to HubSpot from the production environment.", "env_var", None, None),
    (
        "We create invoices in QuickBooks Online. QBO calls back off exponentially and failures "
        "go to invoices_dlq on SQS.",
        "terminal_path",
        "asserted",
        None,
    ),
    (
        "We consume from RabbitMQ and post to Slack. credentials: Azure Key Vault via the pod's "
        "managed identity, RabbitMQ included",
        "vault",
        "asserted",
        None,
    ),
    (
        "We post orders to NetSuite and a summary to Slack. Failures go to orders_parking; the "
        "Slack post has no fallback of its own.",
        "no_handling",
        "asserted",
        ["Slack"],
    ),
    (
        "We pull hours from the Harvest API. Harvest requests are held to 100 per 15 seconds.",
        "throttle_rate",
        "asserted",
        ["Harvest API"],
    ),
    (
        "We create the episode in Transistor and record it in a Postgres table unique on guid.",
        "unstable_key",
        None,
        None,
    ),
    (
        "A Lambda posts alerts to Opsgenie. Failures go to the Lambda's SQS on-failure "
        "destination.",
        "terminal_path",
        "asserted",
        None,
    ),
]


@pytest.mark.parametrize(
    ("text", "kind", "modality", "services"), CLAIMS, ids=[c[0][:50] for c in CLAIMS]
)
def test_when_a_mechanism_is_stated_then_its_scope_is_what_the_sentence_covers(
    analyzer: Analyzer, text: str, kind: str, modality: str | None, services: list[str] | None
) -> None:
    claims = [c for c in analyzer.analyze(text).claims if c.kind == kind]
    if modality is None:
        assert claims == [], f"{kind} read in {text!r}"
        return
    assert claims, f"no {kind} claim in {text!r}"
    assert {c.modality for c in claims} == {modality}
    if services is None:
        assert all(c.scope.target == "all" for c in claims), claims
    else:
        assert sorted({s for c in claims for s in c.scope.services}) == sorted(services)


@pytest.mark.parametrize(
    ("text", "exponential"),
    [
        ("Between attempts the client waits 1 s, then 2 s, then 4 s, then 8 s.", True),
        ("Retries wait 500ms, 1s, 2s, 4s.", True),
        ("Retries wait 1s, 2s, 3s, 4s.", False),
        ("Retries on both APIs wait 5 s, then 10 s, then 15 s.", False),
        ("In step 2 of 3, retries wait 2s, 4s, 8s.", True),  # after numbers that are no delays
    ],
)
def test_when_delays_are_listed_then_doubling_is_exponential_and_even_steps_are_not(
    analyzer: Analyzer, text: str, exponential: bool
) -> None:
    design = "We call the Stripe API for each order. " + text
    kinds = {c.kind for c in analyzer.analyze(design).claims if c.modality == "asserted"}
    assert ("backoff_exponential" in kinds) is exponential
    assert ("retry_fixed" in kinds) is not exponential


@pytest.mark.parametrize(
    "secrets",
    ["secrets: aws-secrets-manager://prod/kits/*", "credentials: azure_key_vault"],
)
def test_when_a_vault_is_written_as_a_slug_then_it_is_still_a_vault(
    analyzer: Analyzer, secrets: str
) -> None:
    report = analyzer.analyze("We upload each report to S3.\n" + secrets)
    assert any(c.kind == "vault" and c.modality == "asserted" for c in report.claims)


def test_when_a_service_is_written_as_a_slug_then_the_step_names_it(analyzer: Analyzer) -> None:
    report = analyzer.analyze("We upload each report to google-cloud-storage.")
    assert [s.services for s in report.steps] == [["Google Cloud Storage"]]
