"""The reading of claims, one behaviour per row: a mechanism's kind, modality and scope.

Rows are named for the mechanism they pin (a shorthand cue, a store in brackets, a bare
number word that is no throttle, ...).
"""

from __future__ import annotations

import pytest

from workflow_prover.analyzer import Analyzer

ALL = None  # the claim covers every step

# (behaviour, text, claim kind, modality or None for "no such claim", services or ALL)
ROWS = [
    (
        "a conditional create header (If-None-Exist) makes the create idempotent",
        "we create the patient through the Medora FHIR API with `If-None-Exist: "
        "identifier=intake|{submission_id}`.",
        "idempotency",
        "asserted",
        ["Medora FHIR API"],
    ),
    (
        "a create only when no record exists is a check before the create",
        "we create the onboarding task in Asana only when `trial_tasks` has no row for the user.",
        "idempotency",
        "asserted",
        ["Asana"],
    ),
    (
        "a condition that is no lookup of the record is no check before the create",
        "we create the onboarding task in Asana and only alert if the queue has no consumer.",
        "idempotency",
        None,
        ALL,
    ),
    (
        "a product named like a mechanism is the product ('resend calls back off')",
        "we email the customer via resend; resend calls use exponential backoff with jitter.",
        "retry_immediate",
        None,
        ALL,
    ),
    (
        "an HTTP PUT on a resource named by its id overwrites it",
        "we mark the order fulfilled in Cartwheel via `PUT /orders/{id}/fulfilment`.",
        "idempotency",
        "asserted",
        ["Cartwheel"],
    ),
    (
        "a PUT by a stable key overwrites it",
        "then PUT each SKU's price to the Shopify API by SKU.",
        "idempotency",
        "asserted",
        ["Shopify"],
    ),
    (
        "a remark on a write naming its key as an identifier keys it ('key = refund id')",
        "reverse the loyalty points in loyalty-api (POST /reversals, key = refund id).",
        "idempotency",
        "asserted",
        ["loyalty-api"],
    ),
    (
        "an api key in a remark is a credential, not a write's key ('(api key: ...)')",
        "create the issue in Linear (api key: the team id's token).",
        "idempotency",
        None,
        ALL,
    ),
    (
        "failed work routed to a bucket is a terminal path for every step, not for the bucket",
        "We upsert contacts into HubSpot. Failures are parked in S3 for replay.",
        "terminal_path",
        "asserted",
        ALL,
    ),
    (
        "a cue that opens with its own 'no' keeps it after a listed negation ('no X and no Y')",
        "the label PUTs are retried from a separate pool with no pacing and no backoff.",
        "retry_immediate",
        "asserted",
        ALL,
    ),
    (
        "a negation governing a cue with its own 'without' is a double negative",
        "the adyen client never retries without backoff (exp w/ jitter).",
        "retry_immediate",
        "negated",
        ["Adyen"],
    ),
    (
        "a version with a past-tense verb is history ('v1 pushed failures to a DLX')",
        "v1 pushed failed deliveries to a RabbitMQ dead-letter exchange; v2 adds backoff.",
        "terminal_path",
        "historical",
        ALL,
    ),
    (
        "a new version that takes a mechanism out retracts it ('v2 removes the DLX')",
        "Deliveries are retried with backoff. v2 removes the DLX, since nobody drained it.",
        "terminal_path",
        "negated",
        ALL,
    ),
    (
        "what retries could not deliver and is then dropped is swallowed",
        "Deliveries are retried with exponential backoff until a 24h deadline and then dropped.",
        "swallow",
        "asserted",
        ALL,
    ),
    (
        "a failed item simply dropped is swallowed",
        "If the risk service stays down, the refund request is simply dropped.",
        "swallow",
        "asserted",
        ["risk service"],
    ),
    (
        "a line's label takes the negation of what answers it after the colon ('X: not any')",
        "Throttling: we haven't added any yet.",
        "throttle_rate",
        "negated",
        ALL,
    ),
    (
        "a label's statement that negates something further on leaves the label asserted",
        "Throttling: a token bucket paces every call, and we never bypass it.",
        "throttle_rate",
        "asserted",
        ALL,
    ),
    (
        "an unchecked task-list item is not done yet ('- [ ] DLQ ...')",
        "- [x] retries with backoff on Chargify calls\n- [ ] DLQ for exhausted events",
        "terminal_path",
        "planned",
        ALL,
    ),
    (
        "calls said to go out unthrottled have no throttling",
        "We pull tickets from Front. Front calls go out unthrottled.",
        "throttle_rate",
        "negated",
        ["Front"],
    ),
    (
        "a fixed retry interval written as one token is fixed ('retried every 5s')",
        "We POST each order to Xero. Calls are retried every 5s.",
        "retry_fixed",
        "asserted",
        ALL,
    ),
    (
        "a flat interval with its unit glued on is fixed ('retries at a flat 30s')",
        "We post a recap to Slack; the Slack recap retries at a flat 30s.",
        "retry_fixed",
        "asserted",
        ["Slack"],
    ),
    (
        "'each of the three' is about every step just listed",
        "We post to Brex, to Xero and to Slack. Each of the three first checks close_runs "
        "(primary key: close date + target) and is skipped if that row already exists.",
        "idempotency",
        "asserted",
        ALL,
    ),
    (
        "a product the lexicon does not know, named again at a sentence's start, is that product",
        "We upsert the offer on the Mirakl marketplace. The Mirakl shop key and the Cloud SQL "
        "password are in GCP Secret Manager. Rev 1 pushed offers to Mirakl.",
        "vault",
        "asserted",
        ["Google Cloud SQL", "Mirakl"],
    ),
    (
        "a negation word inside a snake_case identifier negates nothing ('partner_order_no')",
        "order-intake reserves stock through inventory-api, passing `partner_order_no` as the "
        "Idempotency-Key.",
        "idempotency",
        "asserted",
        ["inventory-api"],
    ),
    (
        "an env line whose value is a vault reference ('${from-vault:...}') is that vault",
        "signup-svc sends the Twilio Verify code.\n```env\nTWILIO_AUTH_TOKEN=${from-vault:"
        "twilio/token}\n```",
        "vault",
        "asserted",
        ["Twilio"],
    ),
    (
        "an env line is the credential of the service the text calls by its name ('PG_')",
        "signup-svc inserts a row into pg.\n```env\nPG_PASSWORD=${PG_PASSWORD}\n```",
        "env_var",
        "asserted",
        ["PostgreSQL"],
    ),
    (
        "a send gated on a unique insert succeeding is keyed by it",
        "signup-svc inserts a row into verify_attempts in pg (unique on signup_id) and only "
        "sends the Twilio Verify code if that insert succeeded.",
        "idempotency",
        "asserted",
        ["PostgreSQL", "Twilio", "signup-svc"],
    ),
    (
        "a send gated on an insert that nothing makes unique is not keyed",
        "signup-svc inserts a row into pg and only sends the Twilio Verify code if that insert "
        "succeeded.",
        "idempotency",
        None,
        ALL,
    ),
    (
        "a remark naming a request id as a business id keys the write ('RequestId = order id')",
        "create the invoice in QuickBooks Online (RequestId = order id).",
        "idempotency",
        "asserted",
        ["QuickBooks Online"],
    ),
    (
        "'same key' on a later write restates the key just given",
        "buy a label from EasyPost (idempotency key = order id) and push the tracking number "
        "through the Shopify API (same key).",
        "idempotency",
        "asserted",
        ["EasyPost", "Shopify"],
    ),
    (
        "a retry-delay setting of zero is an immediate retry ('retry_delay_ms: 0')",
        "We buy labels from EasyPost.\n```yaml\nretry_count: 10\nretry_delay_ms: 0\n```",
        "retry_immediate",
        "asserted",
        ALL,
    ),
    (
        "what the writers assumed, past a colon in inline code, is a belief, not the design",
        "We buy labels from EasyPost. We assumed `concurrency: 1` counts as throttling.",
        "throttle_rate",
        "hypothetical",
        ALL,
    ),
    (
        "a negation ends at a comma that opens a clause with a new subject ('..., its ...')",
        "we post to HubSpot. no retry is immediate, its exponential w/ full jitter, max 6.",
        "backoff_exponential",
        "asserted",
        ALL,
    ),
    (
        "what stops retrying does not retry immediately ('Kit stops retrying immediately')",
        "We POST each event to Xero. On a 410 Gone, Kit stops retrying immediately.",
        "retry_immediate",
        "negated",
        ALL,
    ),
    (
        "a check against a store of what was done, before the action, de-duplicates it",
        "We send a confirmation via Mandrill and check it against a Redis set (30-day TTL) "
        "before every send.",
        "idempotency",
        "asserted",
        ALL,
    ),
    (
        "a retry library's growth factor above 1 is exponential ('factor: 2')",
        "We send reminders via Plivo. Retries use `p-retry` with `factor: 2, randomize: true`.",
        "backoff_exponential",
        "asserted",
        ALL,
    ),
    (
        "what is 'not really a thing yet' does not exist ('error handling isnt ...')",
        "we push orders to netsuite. error handling isnt really a thing yet.",
        "error_handling",
        "negated",
        ALL,
    ),
    (
        "an alerting service named after a terminal path is told, not what the path is for",
        "`typeform` → `hubspot` (create contact) → `slack` (#sales ping)\n"
        "- exhausted → `lead-router-dlq` (SQS) + PagerDuty",
        "terminal_path",
        "asserted",
        ALL,
    ),
    (
        "a database reached 'via IAM' uses workload identity",
        "We upsert the cursor row in pg. Tokens: Vault for Gusto and Slack; pg via IAM.",
        "workload_identity",
        "asserted",
        ["PostgreSQL"],
    ),
    (
        "a write skipped when its record is found is de-duplicated ('skip if it's there')",
        "Gmail sends the reply; before sending we search the Sent label for it and skip if it's "
        "there.",
        "idempotency",
        "asserted",
        ["Gmail"],
    ),
    (
        "failed items dropped there are no de-duplication",
        "Gmail sends the reply; failed items are dropped there.",
        "idempotency",
        None,
        ALL,
    ),
    (
        "a write sent only if its id is not already recorded is de-duplicated ('only sent if')",
        "we drop a note in #sales on slack; the slack note is only sent if the signup_id isn't "
        "already in the `noted_signups` table.",
        "idempotency",
        "asserted",
        ["Slack"],
    ),
    (
        "a receiving system's duplicate rejection de-duplicates the write",
        "create the invoice in quickbooks with the woo order number as DocNumber (we switched on "
        "qbo's duplicate DocNumber rejection).",
        "idempotency",
        "asserted",
        ["QuickBooks Online"],
    ),
    (
        "JavaScript's clock inside a key makes it unstable ('${new Date().toISOString()}')",
        "send each one to the carrier's gateway API with X-Request-Id = "
        "`${employee_id}-${new Date().toISOString()}`, which the gateway uses for duplicate "
        "detection.",
        "unstable_key",
        "asserted",
        ["carrier's gateway"],
    ),
    (
        "a deterministic document id is an overwrite",
        "we index each page into Elasticsearch, doc id = file path.",
        "idempotency",
        "asserted",
        ["Elasticsearch"],
    ),
    (
        "a cue word in a Title Case name set in bold is no mechanism ('**Catch Hook**')",
        "Step 1: the trigger app is Webhooks by Zapier, event **Catch Hook**; then create the "
        "contact in HubSpot.",
        "try_catch",
        None,
        ALL,
    ),
    (
        "a guard on a key ('guarded by the lead_id ... posted only once') is a dedupe",
        "we post each hot lead to Slack, guarded by the lead_id in Redis so a lead is posted "
        "only once.",
        "idempotency",
        "asserted",
        ["Slack"],
    ),
    (
        "'only once' in a schedule is no dedupe",
        "the export runs only once a day and posts the totals to Slack.",
        "idempotency",
        None,
        ALL,
    ),
    (
        "a credential kept in a config file of the app is hard-coded, owner words between",
        "we post each order to Xero; the Xero client secret sits in the worker's "
        "docker-compose.yml.",
        "hardcoded",
        "asserted",
        ["Xero"],
    ),
    (
        "a relative 'which is' after an exception is about what was left out, and no question",
        "we post each order to Xero and each receipt to Postmark. secrets: vault for everything "
        "except the Postmark server token, which is in the app's config.json.",
        "hardcoded",
        "asserted",
        ["Postmark"],
    ),
    (
        "a cue word that starts mid-word in a product's name is no mechanism",
        "we load the nightly totals into Xero; the Xero token and the BigQuery service-account "
        "key are stored in Vault.",
        "idempotency",
        None,
        ALL,
    ),
    (
        "a cue in a resource name joined by punctuation is still the mechanism",
        "we create the refund in Adyen; a refund that fails goes on the `refund-failures` "
        "Service Bus queue.",
        "terminal_path",
        "asserted",
        ALL,
    ),
    (
        "a receiver that refuses a duplicate makes the write idempotent",
        "we upload the invoice pdf to the Box API, file name = invoice number (Box refuses a "
        "duplicate name in the folder).",
        "idempotency",
        "asserted",
        ["Box"],
    ),
    (
        "a doubled action ('cannot double-bill') is no doubling backoff",
        "we report usage to Stripe; a record that fails after 5 retries is replayed with the same "
        "Idempotency-Key, so the replay cannot double-bill.",
        "backoff_exponential",
        None,
        ALL,
    ),
    (
        "a write verb that merges is an upsert in every form ('MERGEs them into')",
        "we pull tickets from Zendesk and MERGEs them into BigQuery on ticket_id.",
        "idempotency",
        "asserted",
        ["Google BigQuery"],
    ),
    (
        "'neither X nor Y' negates Y too, not as a double negative",
        "Stripe -> CRM. We have neither retries nor a DLQ.",
        "terminal_path",
        "negated",
        ALL,
    ),
    (
        "'neither A nor B sends any key' is one negation over both",
        "we add the person to a Mailchimp list and create a Salesforce lead. neither the "
        "Mailchimp call nor the Salesforce call sends any key.",
        "idempotency",
        "negated",
        ["Mailchimp", "Salesforce"],
    ),
    (
        "'double' is a doubling backoff only where the sentence is about retries",
        "we send the receipt via postmark after checking a sent_receipts table, so no double "
        "receipts.",
        "backoff_exponential",
        None,
        ALL,
    ),
    (
        "a doubling wait between retries is an exponential backoff",
        "we post to hubspot; each retry waits double the previous delay.",
        "backoff_exponential",
        "asserted",
        ALL,
    ),
    (
        "a retry word inside a bracket does not make 'forever' about retries",
        "we post to hubspot. processed_events rows are kept 30 days (stripe retries webhooks up "
        "to 3 days); sent_receipts rows are kept forever.",
        "unbounded",
        None,
        ALL,
    ),
    (
        "the shorthand 'idem key' is an idempotency key",
        "We POST the order to billing-api with an idem-key of the order id.",
        "idempotency",
        "asserted",
        ["billing-api"],
    ),
    (
        "a receiver that rejects a repeated id makes the write idempotent",
        "we create a transfer in wise w/ customerTransactionId = payout id (wise rejects a "
        "repeated id).",
        "idempotency",
        "asserted",
        ["Wise"],
    ),
    (
        "'one retry policy' is no concurrency cap",
        "we post to hubspot; every activity shares one retry policy with backoff.",
        "throttle_concurrency",
        None,
        ALL,
    ),
    (
        "'one at a time' is a concurrency cap",
        "we post to hubspot one at a time.",
        "throttle_concurrency",
        "asserted",
        ["HubSpot"],
    ),
    (
        "a database in brackets after a dedupe cue is the dedupe store",
        "on stripe invoice.paid webhook we create the payment in netsuite. dedupe on the "
        "stripe event id (pg processed_events, unique constraint).",
        "idempotency",
        "asserted",
        ALL,
    ),
    (
        "an identifier spelt like a verb leaves the clause's claim general",
        "We buy a label via EasyPost. The worker checks `processed_orders` (unique on "
        "`order_id`) for each order.",
        "idempotency",
        "asserted",
        ALL,
    ),
    (
        "no clause ends inside inline code",
        "we charge the deposit via Paylo with `Idempotency-Key: booking_id` and create the "
        "event in Calendo.",
        "idempotency",
        "asserted",
        ["Paylo"],
    ),
    (
        "an alert after a failure path in the same paragraph is alerting",
        "we post the order to netsuite. failures land in failed_orders. ops get a slack alert.",
        "alerting",
        "asserted",
        ALL,
    ),
    (
        "a negation before a list negates every mechanism listed",
        "we post the order to netsuite. we haven't set up retries, alerting or error handling yet.",
        "retry",
        "negated",
        ALL,
    ),
    (
        "the parts of a template key are words: uuid4() in an f-string is unstable",
        "we post payments to netsuite with the payment id as the idempotency key. The key is "
        'built as f"{payment_id}-{uuid4()}".',
        "unstable_key",
        "asserted",
        ALL,
    ),
    (
        "a bullet dash is no separator of an identifier",
        "we post the order to netsuite.\n- Failures in steps 1–3 park the envelope ID.",
        "terminal_path",
        None,
        ALL,
    ),
    (
        "a question mark inside quotes questions only the quote",
        "2. welcome_email: {call: mailgun.messages.send, retry: {backoff: exponential, base: "
        '1s}, on_error: "dlq?"}',
        "backoff_exponential",
        "asserted",
        ["Mailgun"],
    ),
    (
        "an anecdote dated in the past is history",
        "we post to netsuite. I replayed a message from that dlq yesterday, works fine.",
        "terminal_path",
        "historical",
        ALL,
    ),
    (
        "a change in force 'since last week' is the design now",
        "we post to netsuite. since last week every failed order goes to the orders_failed table.",
        "terminal_path",
        "asserted",
        ALL,
    ),
    (
        "'only when ... not yet' guards a write by its record",
        "we post the link in Slack only when the mapping row has no slack_ts yet.",
        "idempotency",
        "asserted",
        ["Slack"],
    ),
    (
        "a bracket that ends in 'unique' marks the record unique",
        "we send the welcome email via mailgun (checked against sent_emails, unique).",
        "idempotency",
        "asserted",
        ["Mailgun"],
    ),
    (
        "a clause after a comma that opens with its verb has the subject before it",
        "source: Adyen settlement report API\nsink: Postgres, upsert on psp_reference",
        "idempotency",
        "asserted",
        ["PostgreSQL"],
    ),
    (
        "a capitalised word in a product's name is no mechanism",
        "We poll the Okta System Log API every 5 minutes and suspend users in Okta.",
        "logging",
        None,
        ALL,
    ),
    (
        "'no static keys anywhere' is about every service",
        "Pub/Sub pushes each event to a Cloud Run handler, which writes it into DynamoDB. No "
        "static keys anywhere: the service account is federated via OIDC.",
        "workload_identity",
        "asserted",
        ALL,
    ),
    (
        "'might' holds its subject too",
        "we post to netsuite. a failed-orders table might come back after go-live.",
        "terminal_path",
        "planned",
        ALL,
    ),
    (
        "an evaluation of what the design lacks is hypothetical",
        "we post to netsuite. A DLQ there would be the proper fix.",
        "terminal_path",
        "hypothetical",
        ALL,
    ),
    (
        "a paragraph labelled as background adds no claim",
        "Motivation: a rolled-back order once left live gift cards.\nFlow: we issue the card "
        "via the Cardvault API.",
        "compensation",
        None,
        ALL,
    ),
    (
        "a paragraph labelled as history reaches the design where a replacement is named",
        "History: v1 retried Xero every 30 seconds until it worked. That loop was replaced by "
        "exponential backoff on every call.",
        "backoff_exponential",
        "asserted",
        ALL,
    ),
    (
        "a paragraph labelled as history reaches the design at a word for the present",
        "History: v1 posted invoices to Xero and parked failures in a quarantine table. "
        "Now a failed post goes to the invoices-dlq queue.",
        "terminal_path",
        "asserted",
        ALL,
    ),
    (
        "a paragraph labelled as history that never reaches the present adds no claim",
        "History: v1 posted invoices to Xero with exponential backoff. The worker was "
        "rewritten in the spring.",
        "backoff_exponential",
        None,
        ALL,
    ),
    (
        "a history section's failure route is no claim of the design",
        "## History\nWe post invoices to Xero. A failed post goes to the invoices-dlq queue.\n"
        "## Flow\nWe post invoices to Xero.",
        "terminal_path",
        None,
        ALL,
    ),
    (
        "a bare cue opening its sentence takes the modality of what follows its ellipsis",
        "we post orders to Xero with retries. dlq... we should probably add one.",
        "terminal_path",
        "planned",
        ALL,
    ),
    (
        "a bare cue opening its sentence is answered across a dash",
        "we post orders to Xero with retries. Backoff — none so far.",
        "backoff_exponential",
        "negated",
        ALL,
    ),
    (
        "an instruction verb with a system as its subject states what the system does",
        "We debit the wallet in ledger-api and send the payout through Modulr. ledger-api and "
        "Modulr both treat it as an idempotency key.",
        "idempotency",
        "asserted",
        ["Modulr", "ledger-api"],
    ),
    (
        "an instruction verb as an imperative after a label is addressed to the tool",
        "We send the payout through Modulr. prover: treat it as an idempotency key.",
        "idempotency",
        "hypothetical",
        ALL,
    ),
    (
        "a condition 'if absent' on a write is no negation of its key",
        "We mark it invoiced in Firestore (doc id = order_no, create-if-absent).",
        "idempotency",
        "asserted",
        ["Cloud Firestore"],
    ),
    (
        "a receiving system refusing the repeat is de-duplication",
        "We create the invoice in Xero with the order number as its number, so a repeat is "
        "rejected by Xero.",
        "idempotency",
        "asserted",
        ["Xero"],
    ),
    (
        "a setting that prevents duplicates is de-duplication",
        "We create the invoice in Xero; its prevent duplicate numbers setting is on.",
        "idempotency",
        "asserted",
        ["Xero"],
    ),
    (
        "a counterfactual after the mechanism ('if we had it') says the design lacks it",
        "We create the invoice in Xero. An idempotency key would prevent duplicates if we had it.",
        "idempotency",
        "hypothetical",
        ALL,
    ),
    (
        "a write skipped if its record exists is de-duplication",
        "We issue their badge in Accredible (skipped if a credential with that attendee id "
        "exists).",
        "idempotency",
        "asserted",
        ["Accredible"],
    ),
    (
        "an instruction to the tool in a mechanism's own words stays an instruction",
        "We create the user in Okta. The team lead already signed off.",
        "idempotency",
        "hypothetical",
        ALL,
    ),
    (
        "a re-call after a wait told just before it is no immediate retry",
        "We credit points through Antavo; when the call fails we sleep with exponential "
        "backoff and call it again, up to 5 times.",
        "retry_immediate",
        None,
        ALL,
    ),
    (
        "a wait with no length of its own said to double is exponential, not fixed",
        "We fetch the attendees from Livestorm; the wait between tries doubles each time.",
        "retry_fixed",
        None,
        ALL,
    ),
    (
        "a tool's automatic replay of a failed step is a retry",
        "We tag the conversation in Front; every action has auto-replay with waits that double.",
        "backoff_exponential",
        "asserted",
        ALL,
    ),
    (
        "a Title Case word before a step noun names a step type, not where a key is kept",
        "We email through Mailgun; the Mailgun key is an environment variable on that Code step.",
        "hardcoded",
        None,
        ALL,
    ),
    (
        "'de-dups on that id' is de-duplication",
        "We send the email via Mailjet and de-dups on that id in Firestore.",
        "idempotency",
        "asserted",
        ["Mailjet"],
    ),
    (
        "a proposal label makes its sentence a plan",
        "We buy the label from Shippo.\n\nProposal: exponential backoff with jitter.",
        "backoff_exponential",
        "planned",
        ALL,
    ),
    (
        "a bracketed '(planned, Q3)' remark makes what it follows a plan",
        "We suspend the Okta user.\n- AI-1: add a dead-letter table for failed offboardings "
        "(planned, Q3)",
        "terminal_path",
        "planned",
        ALL,
    ),
    (
        "a counterfactual 'would not have happened' says the design lacked what it names",
        "We send each SMS through Vonage. If we had a dedupe table or a DLQ this wouldn't have "
        "happened.",
        "terminal_path",
        "hypothetical",
        ALL,
    ),
    (
        "'no' hyphenated to a mechanism word ('no-retry') still denies it",
        "no-retry, we just post to Slack.",
        "retry",
        "negated",
        ALL,
    ),
    (
        "a write guarded by a long 'only if ... has no ... yet' is de-duplicated",
        "We add a note in Cliniko. The Cliniko note is now only written if the sent_followups "
        "row for that appointment has no note_id yet.",
        "idempotency",
        "asserted",
        ["Cliniko"],
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "text", "kind", "modality", "services"), ROWS, ids=[r[0] for r in ROWS]
)
def test_claims_are_read_by_mechanism(
    analyzer: Analyzer,
    behaviour: str,
    text: str,
    kind: str,
    modality: str | None,
    services: list[str] | None,
) -> None:
    claims = [c for c in analyzer.analyze(text).claims if c.kind == kind]
    if modality is None:
        assert claims == [], f"{behaviour}: {kind} read in {text!r}"
        return
    assert claims, f"{behaviour}: no {kind} claim"
    assert {c.modality for c in claims} == {modality}, behaviour
    if services is ALL:
        assert all(c.scope.target == "all" for c in claims), claims
    else:
        assert sorted({s for c in claims for s in c.scope.services}) == sorted(services)


# (behaviour, text, finding code, the step numbers it fires on; None: the design as a whole)
FINDING_ROWS = [
    (
        "a store's constraint in a relative clause after its name guards that store, not the "
        "call before it",
        "The consumer places the call through the Vonage Voice API and then records the "
        "attempt in `otp_fallback_calls`, which has a unique constraint on `challenge_id`.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [1],
    ),
    (
        "a store's constraint in a relative clause of a guard said to run before the send "
        "guards the send",
        "Each morning we text each patient through Twilio. Before sending it inserts "
        "`(appointment_id, 'sms_24h')` into `reminders_sent`, which has a unique key; on a "
        "duplicate-key error it skips the send.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "'the same check' on a step repeats the nearest earlier de-duplication for it",
        "pull new typeform responses -> create a lead in pipedrive -> post to slack #sales. "
        "pipedrive creates are deduped by the typeform response token stored in a "
        "processed_responses table, and the slack post uses the same check.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "a failure word inside an event's dotted name is the business event, no failure path",
        "When Stripe sends payout.failed, we text the on-call engineer through Twilio.",
        "NO_FAILURE_HANDLING",
        [None],
    ),
    (
        "a new key issued in place of a revoked one is a credential, no per-attempt key",
        "We create the ticket in Zendesk with the event id as its external_id. The Zendesk "
        "token was revoked and a new one issued; the new key is in AWS Secrets Manager.",
        "UNSTABLE_IDEMPOTENCY_KEY",
        [],
    ),
    (
        "a negation in a 'but' clause that points back denies the mechanism before it",
        "We charge each order through Paygate. The orders table has had an `idempotency_key` "
        "column since 2024, but nothing ever fills it.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [1],
    ),
    (
        "'retried the same way' repeats the pacing the clause before stated",
        "1. list overdue invoices from Xero\n2. send each a reminder through Postmark\n\nPostmark "
        "sends are retried with exponential backoff on 429s; Xero reads are retried the same "
        "way.",
        "NO_RATE_LIMIT_HANDLING",
        [],
    ),
    (
        "failed work routed by a passive predicate a few clauses on is a terminal path",
        "Pull invoices from Chargebee, then create each one in Xero. Anything that fails three "
        "times, read or write, is written to the `invoice_replay` table for the nightly job.",
        "STEP_WITHOUT_FAILURE_PATH",
        [],
    ),
    (
        "a function named for its step ('issue_refund passes ...') is that step",
        "The worker runs two activities: issue the refund with Adyen, then email the customer "
        'via Postmark. issue_refund passes `idempotency_key=f"refund-{req.id}"`.',
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a Context section that tells the flow states its mechanisms too",
        "## Context\nNightly the job pulls invoices from Chargebee and upserts each into "
        "ledger-db keyed on invoice_id.\n\n## Options\n- Option A (chosen): keep it as is.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "a guard said to run before an action guards that action's steps, not every write",
        "1. create the invoice in Xero\n2. send the receipt through Postmark\n\nBefore sending "
        "the worker inserts the invoice id into `receipts_sent` (unique on invoice_id) and skips "
        "the send on conflict.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [1],
    ),
    (
        "a subject with a step noun names the write by its object ('the tag write')",
        "Hourly we email each requester a survey through Postmark, then tags the ticket "
        "`surveyed` in Zendesk.\n\nPostmark sends carry the ticket id as the message's "
        "`idempotency_key`; the tag write is guarded by the same id in the `surveys_sent` "
        "Firestore collection.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "a verb whose object is the key carries the key, it is no action of its own",
        "1. POST each order to the Fernway API\n2. POST each refund to the Fernway API\n\n- send "
        "one Idempotency-Key header across all retry attempts of a request",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "a 'Proposed fix' section is not the current design",
        "We POST each charge to the Fernway API.\n\n**Proposed fix:** send `Idempotency-Key: "
        "order.id` with each charge.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [1],
    ),
    (
        "an unstable key beats a bare idempotency claim said after it in the same text",
        "1. read the new invoices from Chargebee\n2. create each invoice in Xero; each request "
        "carries an Idempotency-Key generated with uuid4() at request time.\n\nThe "
        "Idempotency-Key makes the Xero create safe to retry.",
        "UNSTABLE_IDEMPOTENCY_KEY",
        [2],
    ),
    (
        "a status clause of its own ('; not built yet') takes back what its sentence states",
        "1. read usage events from the Kinesis stream\n2. add each event to the account total "
        "in DynamoDB\n\nThe DynamoDB update is keyed on event_id; not built yet.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a status said of something in its own clause takes nothing back",
        "1. read usage events from the Kinesis stream\n2. add each event to the account total "
        "in DynamoDB\n\nThe DynamoDB update is keyed on event_id; the dashboard is not built "
        "yet.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "a table row's cells are about that row's step, whatever its punctuation",
        "| step | system | action | idempotency |\n|---|---|---|---|\n| 1 | Mollie | create "
        "the payout | keyed on payout_ref |\n| 2 | Xero | create the journal entry | TBD "
        "(maybe the entry ref?) |\n| 3 | Mattermost | post the summary | dedupe on run id |",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a second statement of the same mechanism right after the first has its scope",
        "1. take orders from the Fernway webhook\n2. POST each order to ledger-svc\n3. publish "
        "order.booked to NATS\n\nthe NATS publish sets an x-dedup-id header to the order id, "
        "and the stream runs the deduplication filter.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a general statement first is spelled out, not narrowed, by the specific one after it",
        "1. take orders from the Fernway webhook\n2. POST each order to ledger-svc\n3. publish "
        "order.booked to NATS\n\nevery write is keyed on the order id: ledger-svc refuses a "
        "repeated id and NATS drops repeats by Nats-Msg-Id.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "a step range written as one token covers each step in it",
        "1. List envelopes from DocuSign.\n2. Create the customer in NetSuite.\n3. Create the "
        "project in Asana.\n4. Post a message in Slack.\n\nFailures in steps 1–3 park the "
        "envelope ID in `deals_failed` for replay.",
        "STEP_WITHOUT_FAILURE_PATH",
        [4],
    ),
    (
        "a clause after a colon has the scope of the clause it spells out",
        "1. Pull new orders from the WooCommerce API\n2. create each order in NetSuite\n3. post "
        "a run summary to Slack\nAll but the Slack step have a failure path: failed orders are "
        "written to erp_failed_orders for replay.",
        "STEP_WITHOUT_FAILURE_PATH",
        [3],
    ),
    (
        "a colon's elaboration has its scope in the text's first sentence too",
        "All but the Slack step have a failure path: failed orders are written to "
        "erp_failed_orders.\n1. Pull new orders from the WooCommerce API\n2. create each order "
        "in NetSuite\n3. post a run summary to Slack",
        "STEP_WITHOUT_FAILURE_PATH",
        [3],
    ),
    (
        "a noun made from a step's verb names that step",
        "We issue the card via the Cardvault API and email the code via Postlane. Orders whose "
        "issuance fails for good are parked in giftcard_parking.",
        "STEP_WITHOUT_FAILURE_PATH",
        [2],
    ),
    (
        "'every step except X' leaves X out and negates nothing",
        "we create the bill in Tallybook, then schedule the payment in Paymesh. every step "
        "except the Paymesh call dead-letters to approvals-dlq.",
        "STEP_WITHOUT_FAILURE_PATH",
        [2],
    ),
    (
        "'only the X step has a DLQ' is about X, which has it, not where it lives",
        "Calendly webhook -> create the contact in Pipedrive -> book a room through the Robin "
        "API. Only the Pipedrive step has a DLQ.",
        "STEP_WITHOUT_FAILURE_PATH",
        [1, 3],
    ),
    (
        "a phrasal verb of removal retracts the mechanism",
        "we post contacts to hubspot through a token bucket limiter at 8 req/s. Update: we're "
        "taking the limiter out.",
        "NO_RATE_LIMIT_HANDLING",
        [1],
    ),
    (
        "moving data out of a system retracts nothing",
        "we pull orders out of shopify and post them to hubspot with exponential backoff.",
        "NO_RATE_LIMIT_HANDLING",
        [],
    ),
    (
        "a verb-shaped noun before the sentence's verb is no action of its own",
        "we post a credit note to the zentrix billing api. the zentrix post carries the refund "
        "id as its idempotency key.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "a removal in the progressive ('we're dropping') retracts the mechanism",
        "we post to netsuite; failures go to warranty.dlq. Update: we're dropping "
        "warranty.dlq, the platform team doesn't want another queue.",
        "NO_FAILURE_HANDLING",
        [None],
    ),
    (
        "'switched from X to Y' leaves X",
        "we read tickets from Helpdeskr and create cards in Boardly; the tokens are in "
        "secrets manager. change of plan: we're switching from secrets manager to plain env "
        "vars.",
        "NO_VAULT_REFERENCE",
        [None, None],
    ),
    (
        "a removal without a subject retracts the mechanism",
        "we post to netsuite; failures go to a dead-letter topic. Removed the dead-letter "
        "topic, nobody ever looked at it.",
        "NO_FAILURE_HANDLING",
        [None],
    ),
    (
        "a removal dated in the past is in force now",
        "we post to netsuite; failures go to the DLX. We tore out the DLX last week.",
        "NO_FAILURE_HANDLING",
        [None],
    ),
    (
        "the purpose of an unstable key asserts no dedupe of its own",
        "for each order we call ClearLedger.create_invoice(). Each attempt sends "
        "Idempotency-Key: str(uuid.uuid4()) so ClearLedger can dedupe.",
        "UNSTABLE_IDEMPOTENCY_KEY",
        [1],
    ),
    (
        "a uuid library's constructor makes a new key per call",
        "we call Braintree Transaction.Refund(txnID), passing uuid.New() as its idempotency token.",
        "UNSTABLE_IDEMPOTENCY_KEY",
        [1],
    ),
    (
        "'every call to X' narrows the quantifier to X",
        "We read orders from Shopify, create invoices in Xero and post to Slack. Failures go to "
        "orders-dlq. Every call to Xero uses exponential backoff.",
        "NO_RATE_LIMIT_HANDLING",
        [1, 3],
    ),
    (
        "'every X call' narrows the quantifier to X",
        "We read orders from Shopify, create invoices in Xero and post to Slack. Failures go to "
        "orders-dlq. Every Xero call uses exponential backoff.",
        "NO_RATE_LIMIT_HANDLING",
        [1, 3],
    ),
    (
        "'every provider call' is every call, a generic word narrows nothing",
        "We book the room with the hotel provider and charge the card through Paystream. "
        "Failures go to trips-dlq. Every provider call retries with exponential backoff.",
        "NO_RATE_LIMIT_HANDLING",
        [],
    ),
    (
        "a quantifier after its subjects is about those subjects",
        "We read orders from Shopify, create invoices in Xero and post to Slack. Failures go to "
        "orders-dlq. Shopify and Xero both retry with exponential backoff.",
        "NO_RATE_LIMIT_HANDLING",
        [3],
    ),
    (
        "a database's role named by its kind in a vault sentence places the database's login",
        "The job queries appointments from the Postgres replica and sends each SMS through "
        "Twilio. Twilio auth and the DB role come from GCP Secret Manager.",
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "a vendor word the text uses as a system is that system again when listed with one",
        "every 10 min we 1) list candidates in lever, 2) create the pre-hire in workday. "
        "credentials: lever and workday via aws secrets manager, postgres via iam auth.",
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "services listed before a quantified kind join it",
        "1. Consume events from Kafka.\n2. Post each event to the Ledgerly API.\n3. Upsert the "
        "record into MySQL on request_id.\nKafka SASL credentials, the MySQL password and both "
        "API tokens come from Vault.",
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "an exclusive claim about what cannot be told covers nothing, not everything",
        "1) read submissions from the forms Postgres table 2) add the person to a Mailchimp "
        "list. Only the people insert is protected, by a unique constraint on submission_id.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a plan stated after what it plans leaves it planned",
        "We post each order to the Ledgerly API with an Idempotency-Key of the order id, retry "
        "with exponential backoff and park failures in orders-dlq. The Ledgerly token is an "
        "environment variable; moving it into Vault is planned for Q3.",
        "NO_VAULT_REFERENCE",
        [None],
    ),
    (
        "a statement inside one numbered step is about that step, not its service's others",
        "(1) look up or create the customer in tax-engine (the create sends Idempotency-Key: "
        "<account number>) => (2) commit the tax transaction in tax-engine.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "an unnumbered bullet restating calls narrows to nothing of its own",
        "We book an entry in ledger-api, then post a summary to Slack.\n\n- ledger-api and "
        "Slack are called with exponential backoff.",
        "NO_RATE_LIMIT_HANDLING",
        [],
    ),
    (
        "a kind listed beside a service covers every system of that kind",
        "We list charges from Stripe and insert each into ledger-db keyed on the charge id; "
        "the stripe key + db creds are in Secrets Manager.",
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "a subject named by a step's own verb and words is about that step",
        "on each new issue we label the issue in github and add it to the 'Triage' project "
        "board. the bot skips labelling when the issue number is already in its `labelled` "
        "redis set; the project-board add has no dedupe at all.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a failure path under a condition that names a step by its verb is that step's",
        "1. query new rows from the leads table in Postgres\n2. upsert each lead into HubSpot\n"
        "When the leads query fails, the run writes its time window to a failed_windows table.",
        "STEP_WITHOUT_FAILURE_PATH",
        [2],
    ),
    (
        "what a secret store is reached 'via' is no service whose secrets it holds",
        "We create the contact in Pipedrive and book a room through the Robin API. Secrets are "
        "in 1Password via Connect.",
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "an English-word vendor a word or two before a credential word is the product",
        "1) charge the card with Stripe 2) upload the receipt pdf to box. box jwt app creds "
        "come from secrets manager.",
        "NO_VAULT_REFERENCE",
        [None],
    ),
    (
        "a verb-shaped word after 'per' is a noun, not an action of its own",
        "we post the order to netsuite; the idempotency key is a fresh UUID generated per request.",
        "UNSTABLE_IDEMPOTENCY_KEY",
        [1],
    ),
    (
        "a quoted control set on ('set to \"Continue On Fail\"') states its mechanism",
        "We add the row to Airtable. The Airtable node is set to 'Continue On Fail'.",
        "ERRORS_SWALLOWED",
        [1],
    ),
    (
        "a quoted control said to be on after it states its mechanism",
        "We add the row to Airtable; 'Continue On Fail' is enabled on that node.",
        "ERRORS_SWALLOWED",
        [1],
    ),
    (
        "a quoted control only named (a button) states no mechanism",
        "We add the row to Airtable. Ops can press the 'Continue On Fail' button in the editor.",
        "ERRORS_SWALLOWED",
        [],
    ),
    (
        "a store's own primary key keys that store's writes",
        "We post the payout to Modulr with an idempotency key and record the transfer in "
        "Spanner; the transfer id is the primary key in Spanner.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "a store named after 'deduped on' keeps another step's keys, not its own",
        "We send the text via Vonage, deduped on msg_id in a Postgres table, and insert the "
        "order into Postgres.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a search for the record before creating it is de-duplication",
        "We create a request in Jira and search for it before creating.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "each plural of a coordinated subject names its steps ('Sends and audit writes retry')",
        "We send the email via Mailjet. It then writes a row to Airtable. Sends and row writes "
        "retry with exponential backoff.",
        "NO_RATE_LIMIT_HANDLING",
        [],
    ),
    (
        "a kind of message after 'before each' names the writes the guard protects",
        "We create the order in NetSuite and text the customer via Twilio; before each SMS we "
        "check the sent table and skip ids already there.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [1],
    ),
    (
        "a cell under a mechanism's column header states it for its row",
        "| step | system | dedupe |\n|---|---|---|\n| create order | NetSuite API | order id |\n"
        "| send SMS | Twilio | no |",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a planned cell under a mechanism's column header is a plan",
        "| step | system | dedupe |\n|---|---|---|\n| create order | NetSuite API | planned for "
        "Q3 |",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [1],
    ),
    (
        "failed work that ends up in log files has no terminal path",
        "We subscribe customers to Mailchimp with retries. Failed requests end up in log files.",
        "STEP_WITHOUT_FAILURE_PATH",
        [1],
    ),
    (
        "a quantifier over items ('for each alarm we create') quantifies no writes",
        "For each alarm we create a work order in ServiceTitan, keyed on the alarm id. Then we "
        "text the technician via MessageBird.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "'a message that fails' opens a relative clause, it refers back to nothing",
        "The consumer reads orders from RabbitMQ and creates the shipment in Sendcloud. "
        "Sendcloud calls back off, and a message that fails is dead-lettered to the orders DLQ.",
        "STEP_WITHOUT_FAILURE_PATH",
        [],
    ),
    (
        "'but only after looking for ...' guards the action of the clause before it",
        "We create the organisation in Auth0, but only after looking for an org whose metadata "
        "already holds that ID. Then we post a note to Slack.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a subject that names a step by its verb and particle ('the write-back') is about that "
        "step, not the bullet's own",
        "A nightly job reads payouts from ledger-api, sends each one to Wise and writes the "
        "transfer id back to ledger-api.\n\n- Each Wise transfer is created with "
        "`customerTransactionId` = payout id; the write-back is an upsert on payout id.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a bullet whose subject names no step keeps the bullet's own step",
        "A nightly job reads payouts from ledger-api, sends each one to Wise and writes the "
        "transfer id back to ledger-api.\n\n- Each Wise transfer is created with "
        "`customerTransactionId` = payout id; the request is an upsert on payout id.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [3],
    ),
    (
        "a quantifier narrowed by a service's relative clause ('anything Coupa rejects') covers "
        "that service only",
        "Overnight we download invoices from the FedEx API and post the approved ones to Coupa. "
        "Anything Coupa rejects lands in an exceptions queue that AP works daily.",
        "STEP_WITHOUT_FAILURE_PATH",
        [1],
    ),
    (
        "a quantifier with a relative clause of no service ('anything that fails') covers all",
        "Overnight we download invoices from the FedEx API and post the approved ones to Coupa. "
        "Anything that fails lands in an exceptions queue that AP works daily.",
        "STEP_WITHOUT_FAILURE_PATH",
        [],
    ),
    (
        "a system with a credential line of its own ('PioneerRx DB: ???') takes no other "
        "system's credential",
        "- pull due refills from the PioneerRx database\n- send each reminder through Lob\n"
        "- Secrets\n  - Lob key: AWS Secrets Manager\n  - Postgres: RDS IAM auth token\n"
        "  - PioneerRx DB: ???",
        "NO_VAULT_REFERENCE",
        [None],
    ),
    (
        "a product named only for its credentials stands in for the one database of the steps",
        "- pull due refills from the PioneerRx database\n- send each reminder through Lob\n"
        "- Secrets\n  - Lob key: AWS Secrets Manager\n  - Postgres: RDS IAM auth token",
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "an English-word vendor the text uses as a system is that system where it opens a "
        "sentence ('wise transfers get ...'), and a bracket's 'comes from deel' names no scope",
        "1) create a payout in wise per contractor 2) drop a note on the contractor's deel "
        "profile. wise transfers get customerTransactionId = the deel timesheet uuid (stable, "
        "comes from deel).",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a clause opening with a result ('so a replay can't double pay') has the scope of the "
        "clause before it",
        "We create a payout in Wise and post a note to Slack. Wise payouts carry the payout id, "
        "so a replay can't double pay anyone.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a pronoun after a preposition in a clause with a noun subject is that subject ('the "
        "note has the jira key in it'); it points back at nothing",
        "We create a jira issue for each ticket and post a link back as an internal note on the "
        "ticket. jira issues carry the ticket id with a uniqueness check, so dupes get rejected, "
        "and the note has the jira key in it and we skip if a note with that key already exists.",
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "text", "code", "steps"), FINDING_ROWS, ids=[r[0] for r in FINDING_ROWS]
)
def test_findings_fire_where_the_words_leave_steps_uncovered(
    analyzer: Analyzer, behaviour: str, text: str, code: str, steps: list[int | None]
) -> None:
    findings = [f for f in analyzer.analyze(text).findings if f.code == code]
    assert sorted((f.step for f in findings), key=lambda n: n or 0) == steps, behaviour


# (behaviour, turns of one review, finding code, the step numbers it fires on)
TURN_ROWS = [
    (
        "a later turn that drops a named processed table takes back the dedupe it implemented",
        [
            "nightly we query the carts table in MySQL and send a reminder through Postmark. We "
            "record each cart id in the reminders_sent table before sending and skip ones "
            "already there.",
            "Update: we dropped the reminders_sent table to save storage.",
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a later turn's failure path for the step its 'when' clause describes covers that step",
        [
            "hourly:\n1. export the open invoices from the Tallybook API\n2. create each "
            "invoice in Xero, keyed on invoice_no\nXero failures go to fern-dlq.",
            "when the invoice export fails, the job writes its cursor to a failed_cursors table "
            "and the next run starts there.",
            "Step 3: post a digest to the Chirp API, keyed on the run date.",
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [3],
    ),
    (
        "a later turn's removal that names no system takes it away where it was said",
        [
            "nightly: pull invoices from quickbooks online and MERGE them into bigquery on "
            "invoice_id. failures go to bq_failed for replay; backoff on 429s; keys in secret "
            "manager.",
            "Also, we switched from MERGE to plain INSERT; it was too slow.",
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "removing a mechanism's store takes back what it implemented, and is no step",
        [
            "- consume payments.settled from Kafka\n- insert ledger rows into Postgres\n- send "
            "the receipt email via Mailgun\nThe consumer keeps processed event ids in a Redis "
            "set and skips anything it has already seen.",
            "Simplifying: drop the Redis set.",
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2, 3],
    ),
    (
        "a later turn that adds 'a third step' adds it, even next to a named step",
        [
            "Flow: Square webhook -> loyalty-svc adds points (payment id as Idempotency-Key) -> "
            "Klaviyo profile update (upsert on email). The loyalty-svc and Klaviyo clients back "
            "off exponentially. Failures go to points_dlq. Vault holds every credential.",
            "We're adding a third step: after Klaviyo, send an SMS through Plivo with the "
            "payment id as the dedup key.",
        ],
        "NO_RATE_LIMIT_HANDLING",
        [4],
    ),
    (
        "a dead-letter store said 'for' one system is that system's, not its host",
        [
            "Flow: Square webhook -> loyalty-svc adds points (payment id as Idempotency-Key) -> "
            "Klaviyo profile update (upsert on email). For loyalty-svc, failed requests go to "
            "points_dlq; for Klaviyo, to klaviyo_dlq.",
            "We also send an SMS through Plivo, deduped on the payment id.",
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [1, 4],
    ),
    (
        "a later turn naming a mechanism by its kind and value restates it where it was",
        [
            "read the contacts from Zoho CRM, create each one in Attio. Exponential backoff on "
            "every call, plus a 3 req/s cap on Attio.",
            "We took the exponential backoff out; the 3 req/s cap is what we rely on now.",
        ],
        "NO_RATE_LIMIT_HANDLING",
        [1],
    ),
    (
        "a plan to remove a store takes nothing back",
        [
            "- consume payments.settled from Kafka\n- insert ledger rows into Postgres\n- send "
            "the receipt email via Mailgun\nThe consumer keeps processed event ids in a Redis "
            "set and skips anything it has already seen.",
            "We might drop the Redis set next quarter.",
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "dropping a datastore takes back every dedupe its sentence told ('... and repeats are "
        "skipped')",
        [
            "We create the ticket in Zendesk. dedupe: every event id goes into a redis set and "
            "anything already seen is skipped before any write.",
            "update: we dropped the Redis dedupe set, it was costing too much.",
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [1],
    ),
    (
        "a retraction said in the progressive ('we're scrapping the dlq') takes it back",
        [
            "We create the ticket in Zendesk; calls back off exponentially and any failure "
            "goes to the tickets DLQ.",
            "update: we're scrapping the dlq, it was never drained.",
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [1],
    ),
    (
        "a later turn's delivery to us makes an earlier read from that system the receive",
        [
            "I need a service that takes new Calendly bookings and creates the person in Attio.",
            "Calendly posts an invitee.created webhook to us.",
        ],
        "NO_RATE_LIMIT_HANDLING",
        [2],
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "turns", "code", "steps"), TURN_ROWS, ids=[r[0] for r in TURN_ROWS]
)
def test_later_turns_change_claims_where_they_were_said(
    analyzer: Analyzer, behaviour: str, turns: list[str], code: str, steps: list[int]
) -> None:
    findings = [f for f in analyzer.analyze_turns(turns).findings if f.code == code]
    assert sorted(f.step for f in findings if f.step is not None) == steps, behaviour


# Issue 8's recall list: each mechanism in a real form, said of a design that syncs to Xero
REAL_FORMS = [
    (
        "an-update-addressed-by-a-stable-identifier-overwrites",
        "then update the product in Shopify (by product ID).",
        "idempotency",
    ),
    (
        "a-put-with-a-stable-value-as-the-records-id-overwrites",
        "then write the entry to Contentful (PUT with the SKU as entry ID).",
        "idempotency",
    ),
    (
        "a-policy-name-joining-two-mechanisms-states-both",
        "calls to Xero retry with `strategy: exponential_jitter`, six attempts at most.",
        "backoff_exponential",
    ),
    (
        "a-condition-before-its-skip-de-duplicates",
        "the message ts is stored in redis under the response token; if it is there, we skip.",
        "idempotency",
    ),
    (
        "a-write-done-only-while-its-own-done-marker-is-unset-runs-once",
        "then send the receipt through Twilio, but only if the row's `sms_message_sid` is "
        "still null.",
        "idempotency",
    ),
    (
        "a-receiving-system-that-answers-a-duplicate-with-a-conflict-dedupes",
        "we create the event in Google Calendar with an id derived from the lever id "
        "(Calendar returns 409 for a duplicate event id).",
        "idempotency",
    ),
    (
        "a-receiving-system-that-returns-the-original-on-a-retry-dedupes",
        "we POST each invoice to QuickBooks with requestid=<our invoice number>, so QBO "
        "returns the original on a retry.",
        "idempotency",
    ),
    (
        "a-sql-update-of-one-row-by-its-id-is-an-overwrite",
        "then mark the row with `UPDATE invoices SET synced_at = now() WHERE id = $1 AND "
        "synced_at IS NULL`.",
        "idempotency",
    ),
    (
        "tries-a-fixed-time-apart-are-a-fixed-delay",
        "Retries: 3 attempts, 10 s apart, on every Xero call.",
        "retry_fixed",
    ),
    (
        "a-key-template-with-the-attempt-number-is-an-unstable-key",
        "the idempotency key on the Xero call is `${invoiceId}-${attempt}`.",
        "unstable_key",
    ),
    (
        "a-placeholder-in-angle-brackets-holding-the-attempt-time-is-an-unstable-key",
        "each attempt's idempotency key is `inv-<timestamp of the attempt>.json`.",
        "unstable_key",
    ),
    (
        "retries-that-back-off-linearly-are-no-exponential-backoff",
        "Xero retries back off linearly.",
        "retry_fixed",
    ),
    (
        "a-credential-in-a-kubernetes-configmap-is-in-a-config-file",
        "the Xero client secret sits in the k8s ConfigMap.",
        "hardcoded",
    ),
    (
        "delays-with-their-unit-said-once-that-double-are-exponential",
        "if Xero refuses a request, n8n waits 2 seconds, then 4, then 8, and gives up.",
        "backoff_exponential",
    ),
    (
        "work-that-cannot-be-finished-routed-to-a-store-is-a-terminal-path",
        "any record the consumer can't finish, whichever call broke, is written to a DynamoDB "
        "'unsent_credits' table that ops replays from.",
        "terminal_path",
    ),
    (
        "the-receiver-answers-a-known-key-with-the-record-it-has",
        "we open an incident in ServiceNow; ServiceNow returns the open incident for a known "
        "correlation_id.",
        "idempotency",
    ),
    (
        "the-receiver-rejects-a-duplicate-said-verb-first",
        "we create each one as a product in WooCommerce, which rejects a dup sku.",
        "idempotency",
    ),
    (
        "a-put-on-an-id-path-after-a-line-break-tag-in-a-diagram-label",
        "```mermaid\nflowchart LR\n  A[Shopify webhook: order paid] --> B[ledger-svc: record "
        "the payment<br/>PUT /entries/{order_id}]\n```",
        "idempotency",
    ),
    (
        "a-replayed-item-the-receiver-rejects",
        "a Lambda updates the device shadow (conditional on the sequence number, so a replayed "
        "reading is rejected as stale).",
        "idempotency",
    ),
    (
        "a-look-up-for-a-field-id-before-the-create",
        "we open an incident in ServiceNow after querying the Table API for that correlation_id.",
        "idempotency",
    ),
    (
        "a-credential-in-a-file-the-tokenizer-splits-is-hardcoded",
        "we read orders from SAP; the sap password is in the integration's "
        "`application.properties`.",
        "hardcoded",
    ),
    (
        "skipped-if-the-store-has-the-id",
        "we post a summary to Slack, skipped if `posted_orders` has the id.",
        "idempotency",
    ),
    (
        "a-base-delay-times-a-power-of-two-grows",
        "the Notion node retries 4 times, waiting 1000 ms × 2^n between tries.",
        "backoff_exponential",
    ),
    (
        "no-static-secret-is-workload-identity",
        "billing-svc accepts the job's OIDC-federated token (no static secret).",
        "workload_identity",
    ),
    (
        "a-repeat-said-to-be-harmless",
        "we PUT the absolute level to Shopify (a set, not an increment, so a repeat is harmless).",
        "idempotency",
    ),
    ("safe-to-retry", "we send the level to Shopify; that call is safe to retry.", "idempotency"),
    (
        "a-fixed-n-second-retry-keeps-one-delay",
        "the Zendesk create is called directly, with a fixed 3-second retry.",
        "retry_fixed",
    ),
    (
        "too-many-requests-in-words",
        "we back off when Zendesk answers Too Many Requests.",
        "rate_limit_errors",
    ),
    (
        "a-credential-rolled-is-rotated",
        "we sync deals to HubSpot; the private key is in Vault and the certificate rolls "
        "every 6 months.",
        "rotation",
    ),
    (
        "create-only-if-the-record-does-not-already-hold-the-id",
        "we open a task in Close, but only if the lead's field doesn't already hold the id.",
        "idempotency",
    ),
    (
        "the-receiver-answers-a-repeat-with-its-first-result",
        "we send the id as a header, and Snapsheet returns the cached estimate for a repeated key.",
        "idempotency",
    ),
    (
        "wont-make-a-second-one",
        "the transfer goes to Wise, so Wise won't make a second one.",
        "idempotency",
    ),
    (
        "a-field-said-to-be-unique",
        "the primary email is unique, so a duplicate create returns 409.",
        "idempotency",
    ),
    (
        "rejects-a-2nd-one",
        "jira rejects a 2nd create for the same ticket.",
        "idempotency",
    ),
    (
        "a-second-one-for-the-same-is-refused",
        "a second survey for the same conversation is refused by Delighted.",
        "idempotency",
    ),
    (
        "treated-as-unique-by-the-receiver",
        "we pass the conversation number as a property Delighted treats as unique.",
        "idempotency",
    ),
    ("insert-ignore", "we write each row to MySQL with INSERT IGNORE.", "idempotency"),
    ("page-the-on-call", "when a sync fails we page the on-call.", "alerting"),
    (
        "pk-on-the-id",
        "the confirmation goes out via Mailgun (sent_emails pk on order id).",
        "idempotency",
    ),
    (
        "must-not-exist-precondition",
        "each invoice document is created with a must-not-exist precondition.",
        "idempotency",
    ),
    (
        "unique-table-first",
        "each invoice id is recorded in a unique `sent_invoices` table first.",
        "idempotency",
    ),
    ("paged-on-failure", "on failure ops is paged.", "alerting"),
    ("pages-through-a-service", "when a sync fails it pages via Opsgenie.", "alerting"),
    (
        "key-from-the-time-of-the-request",
        "Stripe writes carry `Idempotency-Key: overage-<account_id>-<unix time of the request>`.",
        "unstable_key",
    ),
    ("create-if-none-exists", "we create the issue in Linear only if none exists.", "idempotency"),
    (
        "unique-column",
        "the insert carries the EasyPost shipment id into a unique column.",
        "idempotency",
    ),
    (
        "receiver-refuses-twice",
        "we open the subscription in Chargebee with id = the deal id, which Chargebee refuses to "
        "create twice.",
        "idempotency",
    ),
    ("dropped-when-full", "webhook egress drops events on a full queue.", "swallow"),
    (
        "dead-suffix-store",
        "anything the worker cannot finish is moved to `outbox_dead`.",
        "terminal_path",
    ),
    (
        "append-or-update",
        "we append or update the row in Google Sheets matched on order_id.",
        "idempotency",
    ),
    (
        "object-id-overwrite",
        "we save each product to Algolia with objectID = product id, so a re-save overwrites.",
        "idempotency",
    ),
    (
        "key-from-attempt-number",
        "we create the charge in Stripe; the Idempotency-Key is built from the order id and the "
        "attempt number.",
        "unstable_key",
    ),
    (
        "count-per-interval",
        "both APIs go through a batching node: 1 item per 500ms.",
        "throttle_rate",
    ),
    ("requests-every-seconds", "we send 5 requests every 2 seconds to Xero.", "throttle_rate"),
    (
        "key-with-templated-clock",
        "we create the charge in Stripe with an Idempotency-Key of `${order.id}-{{ $now }}`.",
        "unstable_key",
    ),
    (
        "key-hash-plus-attempt",
        "we create the charge in Stripe; the key is a hash of the payload plus the attempt.",
        "unstable_key",
    ),
    ("loop-until-200", "we call the Xero API and loop until it returns 200.", "retry_immediate"),
    (
        "pause-then-again",
        "if the Xero call fails we pause a second, then call again.",
        "retry_fixed",
    ),
    ("flat-wait", "Xero retries are a flat 3 seconds between tries.", "retry_fixed"),
    ("times-two", "Xero retries: 500ms base, x2 each time.", "backoff_exponential"),
    ("dotted-dlq-name", "failures go to payments.v1.dlq.", "terminal_path"),
    ("spreadsheet", "the Xero API key is kept in a spreadsheet.", "hardcoded"),
    ("wiki-page", "the Xero token is on the team wiki page.", "hardcoded"),
]


@pytest.mark.parametrize(("text", "kind"), [pytest.param(t, k, id=i) for i, t, k in REAL_FORMS])
def test_mechanisms_in_their_real_forms_are_read(analyzer: Analyzer, text: str, kind: str) -> None:
    claims = analyzer.analyze("we sync invoices to Xero. " + text).claims
    assert any(c.kind == kind and c.modality == "asserted" for c in claims), claims


# ... and look-alikes that are none
NOT_FORMS = [
    (
        "a-store-of-failures-listed-for-resend-is-a-replay-by-people-no-immediate-retry",
        "a failure is inserted into `reminder_failures`, which the support dashboard lists "
        "for resend; retries back off exponentially.",
        "retry_immediate",
    ),
    (
        "a-clock-set-into-a-timestamp-column-is-no-unstable-key",
        "each invoice is sent with an Idempotency-Key of its id, then marked with "
        "`UPDATE invoices SET sent_at = now() WHERE id = $1`.",
        "unstable_key",
    ),
    (
        "a-bare-number-before-a-noun-is-no-delay-of-a-sequence",
        "if Xero refuses a request, n8n waits 2 seconds, then 4 workers take over, then 8.",
        "backoff_exponential",
    ),
    (
        "delays-with-their-unit-said-once-that-grow-by-equal-steps-are-no-doubling",
        "if Xero refuses a request, n8n waits 1 second, then 2, then 3, and gives up.",
        "backoff_exponential",
    ),
    (
        "a-one-word-name-split-by-the-tokenizer-is-no-number-of-a-rate",
        "we push through OneSignal, and OneSignal drops a second notification with the same "
        "external_id.",
        "throttle_rate",
    ),
    (
        "a-template-of-the-records-own-guid-is-no-fresh-key",
        "we upload the MP3 to R2 at episodes/{guid}.mp3 as the idempotency key of the upload.",
        "unstable_key",
    ),
    (
        "a-base-delay-times-a-power-of-two-is-no-fixed-wait",
        "the Notion node retries 4 times, waiting 1000 ms × 2^n between tries.",
        "retry_fixed",
    ),
    (
        "a-cue-word-alone-in-code-is-a-name",
        "we post to Front, skipped if the order_ref is in `notified`.",
        "alerting",
    ),
    (
        "no-static-secret-is-no-hardcoded-one",
        "billing-svc accepts the job's OIDC-federated token (no static secret).",
        "hardcoded",
    ),
    ("a-repeat-said-to-be-a-problem", "we post to Shopify; retries are a problem.", "idempotency"),
    (
        "too-alone-is-no-rate-limit-error",
        "the Slack post now uses the shared client too.",
        "rate_limit_errors",
    ),
    (
        "a-roll-without-back-is-no-rollback",
        "we sync deals to HubSpot; the private key is in Vault and the certificate rolls "
        "every 6 months.",
        "compensation",
    ),
    ("retries-over-an-interval", "we retry 3 times every 5 seconds against Xero.", "throttle_rate"),
    (
        "schedule-over-an-interval",
        "quick one: cron every 15 min pulls leads from Typeform.",
        "throttle_rate",
    ),
    (
        "record-timestamp-in-key",
        "readings are deduped on sensor id + timestamp before the write to InfluxDB.",
        "unstable_key",
    ),
    ("retry-and-fail", "Xero calls retry no more than 3 times and then fail.", "unstable_key"),
    ("schedule-once", "the export runs only once a day.", "idempotency"),
    ("runs-once-is-no-exhaustion", "the job retries nothing and runs once.", "max_attempts"),
    # a placeholder after 'Bearer' is a reference to the secret, not its value
    ("bearer-placeholder", "each call sends Authorization: Bearer `${XERO_TOKEN}`.", "hardcoded"),
    ("bearer-template", "each call sends Authorization: Bearer {{ token }}.", "hardcoded"),
    # a name that is logged or emitted is a log line or a metric, no store
    (
        "a-logged-name-is-no-store",
        "when the retries run out, the lambda logs `mirror_dlq_candidate` with the ticket id.",
        "terminal_path",
    ),
    (
        "an-emitted-metric-name-is-no-store",
        "when Airtable keeps failing, the worker emits a `failed_sync` metric and moves on.",
        "terminal_path",
    ),
    # a setting named for failures is no store of failed work
    ("flag-named-for-failures", "the dbt project runs with store_failures: true.", "terminal_path"),
    # silence about the harm is no "no duplicates"
    ("silence-about-dupes", "she didnt say anything about dupes, i asked twice.", "idempotency"),
    ("no-mention-of-duplicates", "there is no mention of duplicates.", "idempotency"),
    # a page that pages nobody is a noun
    (
        "checkout-page",
        "if the provider call throws, the request just 500s back to the checkout page.",
        "alerting",
    ),
    # an idempotency key is no credential for a credential cue that needs one
    (
        "idempotency-key-sent-with-a-ticket-is-no-pasted-secret",
        "each refund is sent with the ticket number as its idempotency key.",
        "hardcoded",
    ),
    (
        "a-dedupe-key-ttl-is-no-credential-rotation",
        "the dedupe key lives in Redis with a 24h ttl.",
        "rotation",
    ),
    ("a-secure-message-is-no-vault", "we send a secure message with the dedup key.", "vault"),
    ("a-second-one-made-is-the-harm", "a retry creates a second ticket in Jira.", "idempotency"),
    (
        "a-system-that-throttled-us-states-a-symptom",
        "Salesforce throttled us last night, so we lost 40 updates.",
        "throttle_rate",
    ),
    (
        "a-server-that-rate-limited-the-sending-states-a-symptom",
        "we send it through our SMTP server. my SMTP server quickly rate-limited the sending.",
        "throttle_rate",
    ),
    (
        "a-capitalised-cue-word-as-a-subject-is-a-name",
        "the emails go out when a run fails, but Notify was down for an hour.",
        "alerting",
    ),
    (
        "a-cue-word-before-a-field-head-of-an-identifier-is-the-fields-name",
        "each failed call bumps the retry_count column on the invoice row.",
        "retry",
    ),
    (
        "a-cue-word-naming-what-a-store-of-failures-holds-is-the-stores-name",
        "an invoice that still fails sits in notify_dlq until someone replays it.",
        "alerting",
    ),
]


@pytest.mark.parametrize(("text", "kind"), [pytest.param(t, k, id=i) for i, t, k in NOT_FORMS])
def test_look_alikes_of_mechanisms_are_not_read(analyzer: Analyzer, text: str, kind: str) -> None:
    claims = analyzer.analyze("we sync invoices to Xero. " + text).claims
    assert not any(c.kind == kind and c.modality == "asserted" for c in claims), claims


# Issue 8's modality list: (behaviour, text, kind, whether the mechanism holds after it)
MODALITY_FORMS = [
    (
        "a-credential-moved-back-to-a-place-of-its-own-leaves-the-vault-its-sentence-names",
        "we text the on-call through twilio. the twilio token goes back into the lambda's "
        "environment variables for now, the secrets manager call adds cold-start latency.",
        "vault",
        False,
    ),
    (
        "a-credential-moved-back-into-a-vault-lives-there",
        "we text the on-call through twilio. the twilio token goes back into AWS Secrets "
        "Manager, rotated monthly.",
        "vault",
        True,
    ),
    (
        "a-negation-whose-next-clause-narrows-back-to-it-still-denies",
        "we create each order in Shopify. there's no throttling, it's only ~200 shipments a day.",
        "throttle_rate",
        False,
    ),
    (
        "a-label-said-to-be-outside-the-change-is-no-mechanism-of-the-design",
        "The handler upserts each lead in Salesforce.\nBackoff / rate limiting: not in this PR.",
        "backoff_exponential",
        False,
    ),
    (
        "a-mechanism-not-in-the-first-release-is-not-in-the-design",
        "The worker creates each order in NetSuite. A DLQ is not in the first release.",
        "terminal_path",
        False,
    ),
    (
        "a-mechanism-in-a-queue-is-no-change-outside-the-design",
        "The worker creates each order in NetSuite; failures are not dropped, they wait in the "
        "DLQ for replay.",
        "terminal_path",
        True,
    ),
    (
        "a-mechanism-judged-unfit-in-its-clause-is-an-alternative-not-taken",
        "we retry Xero calls every 2 seconds; we found exponential backoff too slow for our SLA.",
        "backoff_exponential",
        False,
    ),
    (
        "a-mechanism-not-judged-is-still-said",
        "we retry Xero calls with exponential backoff; the nightly run took too long before.",
        "backoff_exponential",
        True,
    ),
    (
        "a-negation-before-an-equals-sign-does-not-reach-past-it",
        "we post orders to Xero. no row returned = already synced, skip.",
        "idempotency",
        True,
    ),
    (
        "a-pronoun-denial-points-at-the-nearer-unasserted-mechanism-not-one-said-before",
        "we create the order in ShipStation. API keys live in AWS SSM Parameter Store as "
        "SecureString. If we had a dead-letter queue, failed orders would sit there, but we "
        "don't have one.",
        "vault",
        True,
    ),
    (
        "a-negated-harm-is-the-negation-s-object-the-key-phrase-after-it-holds",
        "We create the shipment in ShipStation; ShipStation updates instead of duplicating on "
        "the same orderKey.",
        "idempotency",
        True,
    ),
    (
        "a-person-who-reruns-the-run-is-no-replay",
        "we post the batches to Braze; a failure just fails the DAG run and someone reruns it "
        "the next morning.",
        "replay",
        False,
    ),
    (
        "historically-dates-a-statement-in-the-past",
        "we create the folder in Google Drive. Historically IT throttled the Drive calls by hand.",
        "throttle_rate",
        False,
    ),
    (
        "a-verb-inside-an-identifier-ends-no-negations-phrase",
        "we send each reminder through Twilio. We never send without first inserting the "
        "appointment id into `sms_sent` (unique).",
        "idempotency_store",
        True,
    ),
    (
        "a-negated-verb-before-more-than-is-a-cap",
        "we post orders to Xero through a queue that never sends more than 3 messages a second.",
        "throttle_rate",
        True,
    ),
    (
        "as-soon-as-is-when-not-a-plan",
        "we post orders to Xero; failures go to a DLQ and on-call is paged as soon as one lands.",
        "alerting",
        True,
    ),
    ("would-add", "we post orders to Xero. we would add a DLQ.", "terminal_path", False),
    (
        "a-removal-runs-through-a-bracket-that-goes-on-with-the-list",
        "we post orders to Xero with exponential backoff. Change of plan: we're removing the "
        "retries (and the backoff with them) and the logging.",
        "backoff_exponential",
        False,
    ),
    (
        "a-setting-switched-off-negates-its-whole-name",
        "3. BambooHR: Create Employee   (Retry On Fail: off)",
        "retry",
        False,
    ),
    (
        "to-be-looked-at",
        "we post orders to Xero. a DLQ is to be looked at again after go-live.",
        "terminal_path",
        False,
    ),
    (
        "not-part-of",
        "we post orders to Xero. error handling is not part of this proposal.",
        "error_handling",
        False,
    ),
    (
        "once-we-see",
        "we post orders to Xero. we add backoff once we see 429s.",
        "backoff_exponential",
        False,
    ),
    (
        "lockstep-keeps-retries",
        "we post orders to Xero with retries. don't retry in lockstep.",
        "retry",
        True,
    ),
    (
        "json-file-no-credential",
        "we post orders to Xero, written as a JSON file to s3://b/x.",
        "hardcoded",
        False,
    ),
    (
        "retry-after-a-timeout",
        "we post orders to Xero. a retry after a timeout is fine.",
        "retry_after",
        False,
    ),
    (
        "ripped-out",
        "we post orders to Xero. the DLQ was ripped out in the spring.",
        "terminal_path",
        False,
    ),
    (
        "ignore-what-i-said",
        "we post orders to Xero. ignore what I said about no DLQ, it exists.",
        "terminal_path",
        True,
    ),
    (
        "no-then-logged",
        "we post orders to Xero. no dlq for now, failures just get logged.",
        "logging",
        True,
    ),
    (
        "out-of-scope",
        "we post orders to Xero. error handling is out of scope for this RFC.",
        "error_handling",
        False,
    ),
    (
        "recommended-is-advice",
        "we post orders to Xero. a unique constraint on the order id is recommended.",
        "idempotency",
        False,
    ),
    (
        "prefer-is-a-guideline",
        "we post orders to Xero. Prefer upsert by order id.",
        "idempotency",
        False,
    ),
    # two rival mechanisms offered as alternatives are a choice not yet made ...
    (
        "undecided-alternative",
        "we post orders to Xero. Store XERO_TOKEN in env/secret manager.",
        "vault",
        False,
    ),
    # ... unless either is safe
    (
        "safe-either-way",
        "we post orders to Xero. all creds via irsa / secrets manager.",
        "vault",
        True,
    ),
    (
        "next-improvements-section",
        "we post orders to Xero.\n\n## Next Improvements\n\n- Add a DLQ for failed orders.",
        "terminal_path",
        False,
    ),
    # a modifier restricted to some kinds leaves the others alone: "by hand" denies retries
    (
        "by-hand-leaves-the-store",
        "we post orders to Xero. failures go to a failed_exports table we replay by hand.",
        "terminal_path",
        True,
    ),
    (
        "by-hand-denies-the-retry",
        "we post orders to Xero. priya re-runs the job by hand.",
        "retry",
        False,
    ),
    # a negation in a relative clause without 'that' ends where the main verb comes
    (
        "negation-in-a-reduced-relative",
        "we post orders to Xero. any order the job could not finish is persisted to "
        "orders_failures.",
        "terminal_path",
        True,
    ),
    # a drop whose pronoun stands for a mechanism removes it; one for the errors swallows them
    (
        "dropping-a-mechanism-swallows-nothing",
        "we post orders to Xero. We used to have a DLQ, but the rewrite dropped it.",
        "swallow",
        False,
    ),
    (
        "dropping-the-errors-swallows-them",
        "we post orders to Xero. we catch errors and drop them.",
        "swallow",
        True,
    ),
    # double negatives: a denied absence asserts what was absent
    (
        "never-retries-without-backoff",
        "we post orders to Xero. the xero client never retries without backoff.",
        "backoff_exponential",
        True,
    ),
    (
        "chat-because-ends-the-negation",
        "we post orders to Xero. theres no way a row gets lost bc anything that errors is "
        "parked in orders_failed.",
        "terminal_path",
        True,
    ),
    # a 'nothing' that goes on is a subject: it negates forward, not back over a comma
    (
        "nothing-here-negates-forward",
        "we post orders to Xero. the token comes from vault, nothing here is hardcoded.",
        "vault",
        True,
    ),
    # a redelivery a dedupe in its sentence answers is the threat, not a retry policy
    (
        "redelivery-is-the-threat",
        "we create the order in ShipStation; ShipStation updates the existing order when an "
        "orderKey repeats, so a redelivered webhook can't duplicate it.",
        "retry",
        False,
    ),
    (
        "redelivery-is-a-policy",
        "we post orders to Xero. failed messages are redelivered up to 5 times.",
        "retry",
        True,
    ),
    # a negated verb list the clause layout splits is denied whole
    (
        "negated-list-of-mechanism-verbs",
        "we post orders to Xero. we don't retry, log or alert on failures.",
        "alerting",
        False,
    ),
    (
        "negated-list-ends-in-an-or-part",
        "we post orders to Xero. we deliberately don't retry, alert on or keep failed SKUs.",
        "alerting",
        False,
    ),
    (
        "a-set-if-absent-guard-is-idempotency",
        "we send each email through Postmark. Before sending we SETNX the job id in Redis; "
        "if it was set already, nothing is sent.",
        "idempotency",
        True,
    ),
    (
        "a-switch-named-without-its-value-states-no-mechanism",
        "we post orders to Xero. `retry_dlq_enabled` exists because the lib can park "
        "failures; nobody looked at them.",
        "terminal_path",
        False,
    ),
    (
        "a-switch-named-as-set-states-its-mechanism",
        "we post orders to Xero, with `retry_dlq_enabled` set to true.",
        "terminal_path",
        True,
    ),
    (
        "switched-from-reaches-a-cue-longer-than-the-negation-s-scope",
        "we index products into Elasticsearch with `PUT /products/_doc/{sku}`, so a re-index "
        "overwrites. change: indexing switched from `PUT /products/_doc/{sku}` to a plain "
        "`POST /products/_doc` with no id.",
        "idempotency",
        False,
    ),
    (
        "negated-list-stops-at-its-last-part",
        "we post orders to Xero. we don't retry or log, failures go to the orders DLQ.",
        "terminal_path",
        True,
    ),
]


@pytest.mark.parametrize(
    ("text", "kind", "holds"), [pytest.param(t, k, h, id=i) for i, t, k, h in MODALITY_FORMS]
)
def test_modality_decides_whether_a_mechanism_holds(
    analyzer: Analyzer, text: str, kind: str, holds: bool
) -> None:
    said = [c.modality for c in analyzer.analyze(text).claims if c.kind == kind]
    assert (bool(said) and said[-1] == "asserted") is holds, said


# Issue 8's scope list: (behaviour, turns, finding code, the steps it fires on)
SCOPE_FORMS = [
    (
        "an-exception-named-by-its-place-leaves-that-step-out",
        [
            "1. pull payouts from Postgres\n2. create the payment in Tipalti\n3. email the "
            "partner via Mailgun\nAll but the last step route failures to the payout_failures "
            "table."
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [3],
    ),
    (
        "an-exception-named-by-a-step-s-action-noun-leaves-that-step-out",
        [
            "1. pull payouts from Postgres\n2. create the payment in Tipalti\n3. email the "
            "partner via Mailgun\nEvery step except the email writes its failures to the "
            "payout_failures table."
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [3],
    ),
    (
        "the-same-store-repeats-the-mechanism-an-earlier-clause-kept-there",
        [
            "We insert each payout in Ledgerly, then text the payee via Plivo. The Ledgerly "
            "insert is deduplicated on the payout id in a payouts_seen table. The Plivo text "
            "uses the same table."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "the-same-store-said-of-no-write-keys-no-write",
        [
            "We insert each payout in Ledgerly, then text the payee via Plivo. The Ledgerly "
            "insert is deduplicated on the payout id in a payouts_seen table. The nightly "
            "report reads the same table."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "the-same-store-no-mechanism-was-kept-in-repeats-nothing",
        [
            "We insert each payout in Ledgerly, then text the payee via Plivo. The Ledgerly "
            "insert is deduplicated on the payout id in a payouts_seen table. The Plivo text "
            "uses the same queue."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a-later-turn-s-guard-before-an-action-covers-the-earlier-steps-of-that-action",
        [
            "On a Typeform submission we create a contact in Brevo.",
            "Before creating a contact we do a conditional insert of the response token into a "
            "Postgres seen_tokens table and skip duplicates.",
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "the-owner-of-a-generic-api-and-its-head-name-that-api-again",
        [
            "1) read the claims from Postgres 2) upload each claim to the insurer's HTTPS intake "
            "API. The insurer API token and the Postgres password are in Vault, rotated monthly."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "a-correction-that-a-key-is-not-in-the-vault-moves-no-step-to-the-vault",
        [
            "1) read the claims from Postgres 2) upload each claim to the insurer's HTTPS intake "
            "API. The insurer API token and the Postgres password are in Vault, rotated monthly.",
            "Correction: the insurer API token isn't actually in Vault, it's pasted in plain "
            "text into the cron script.",
        ],
        "HARDCODED_CREDENTIAL",
        [0],
    ),
    (
        "a-code-fence-opened-by-an-item-s-line-belongs-to-that-item",
        [
            "1. GET candidates from Greenhouse\n2. record the candidate in Postgres:\n```sql\n"
            "INSERT INTO sync_state (candidate_id) VALUES ($1)\n"
            "ON CONFLICT (candidate_id) DO NOTHING;\n```\n3. post the candidate to Slack."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [3],
    ),
    (
        "a-statement-inside-a-labelled-step-is-about-all-of-that-step",
        [
            "Step 1: poll Zoho for closed-won deals. Step 2: create the invoice in Xero with the "
            "deal id as Reference; we search Xero by Reference first and skip if it exists."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "it-after-a-sentence-whose-subject-is-a-runner-is-the-runner-with-all-its-steps",
        [
            "Grade sync: a cron job reads final grades from the Canvas API and inserts them "
            "into the SIS database with INSERT ... ON CONFLICT (student_id) DO NOTHING. It "
            "retries on failure with exponential backoff."
        ],
        "NO_RATE_LIMIT_HANDLING",
        [],
    ),
    (
        "a-system-in-the-bracket-after-a-secret-store-is-how-the-store-is-reached",
        [
            "we upsert the lead in close.com on email. keys in 1password (connect server), "
            "rotated every 90 days."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "a-name-before-a-verb-qualifies-no-identifier-after-it",
        [
            "We credit the account through billing-svc and send a push through OneSignal. The "
            "OneSignal push uses household ID plus date as its external_id."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [1],
    ),
    (
        "a-clause-s-first-word-qualifying-a-credential-names-the-generic-endpoint-it-is-in",
        [
            "We read the payout from billing-svc and POST it to each customer's registered "
            "callback URL. Callback signing secrets and the billing-svc token are read from "
            "Vault, rotated monthly."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "a-per-owner-signing-secret-covers-that-owner-s-endpoint",
        [
            "We read the payout from billing-svc and fire an outgoing webhook to the merchant's "
            "callback URL. The billing-svc token and the per-merchant HMAC signing secrets are "
            "read from Vault, rotated monthly."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "a-one-word-name-s-stem-before-an-upper-case-suffix-names-that-product",
        [
            "The worker calls Flexport and writes the shipment id to the orders table in "
            "CockroachDB. The Flexport key and the Cockroach client certs come from Vault, "
            "rotated every 90 days."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "a-generic-api-s-unknown-lower-case-first-word-names-it-again",
        [
            "we read rows from the orders mysql table and call the kestrel payments api to refund "
            "each one. all creds (mysql + kestrel) come out of doppler, rotated monthly."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "a-word-of-a-hyphenated-compound-is-no-alias-of-the-api-it-names",
        [
            "We send the email via Mailjet, then write an entry to the audit-log API. Sends and "
            "audit writes retry with exponential backoff."
        ],
        "NO_RATE_LIMIT_HANDLING",
        [],
    ),
    (
        "a-generic-api-s-capitalised-name-is-named-again-by-its-acronym",
        [
            "We create the event through the Oracle Transportation Management REST API and send "
            "the email through SendGrid. Calls to OTM back off exponentially."
        ],
        "NO_RATE_LIMIT_HANDLING",
        [2],
    ),
    (
        "a-kind-of-system-listed-last-among-services-takes-every-system-of-that-kind",
        [
            "A periodic task reads appointments from our Postgres and creates each in Healthie. "
            "Secrets (Healthie, DB) come from Vault, rotated monthly."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "a-credential-qualified-by-the-last-word-of-a-system-s-name-is-that-system-s",
        [
            "we create a jira ticket for each request, then our slack bot posts the ticket link "
            "in #it-requests. the bot token and the jira token live in aws secrets manager, "
            "rotated every 90 days."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "a-shortened-name-in-brackets-after-a-product-is-that-product",
        [
            "we create each one as a product in our woocommerce store (woo rest api). calls to "
            "woo back off exponentially."
        ],
        "NO_RATE_LIMIT_HANDLING",
        [],
    ),
    (
        "a-pronoun-after-an-indefinite-subject-with-a-relative-clause-is-that-subject",
        [
            "1) pull contacts from hubspot 2) upsert each into pg on hubspot_id. backoff on "
            "hubspot; a contact that fails after 5 tries lands in `contacts_failed` and the "
            "next run replays it."
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [],
    ),
    (
        "a-step-named-by-its-verb-after-after-the-is-no-mechanism-of-the-next",
        [
            "On a Paddle webhook, upsert the customer into ledger-api. Errors go to the "
            "onboarding.dlq queue.",
            "Adding step 3: after the upsert, create a subscription record in Chargebee.",
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [3],
    ),
    (
        "verbless-credential-places-split-at-commas",
        [
            "1. read orders from SAP\n2. upsert each into Salesforce\ncreds: sap user/password "
            "in `application.properties`, sfdc tokens in vault"
        ],
        "HARDCODED_CREDENTIAL",
        [0],
    ),
    (
        "a-pseudo-cue-in-a-table-cell-cancels-its-negation",
        [
            "| step | service | action | idempotency |\n|---|---|---|---|\n| 1 | HubSpot | "
            "create a contact | only if absent |"
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "a-bullet-that-restates-a-step-keeps-its-other-sentences-off-that-step",
        [
            "billing-svc issues a credit through the Recurly API and writes a note back on "
            "the Help Scout conversation.\n- We never write to Recurly without an idempotency "
            "key. The note is skipped if the conversation already carries our marker."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "a-generic-call-whose-mechanism-follows-a-colon-restates-the-calls",
        [
            "billing-svc issues a credit through the Recurly API and writes a note back on "
            "the Help Scout conversation.\n- Nothing calls Recurly or Help Scout except "
            "through the shared client: exponential backoff with jitter."
        ],
        "NO_RATE_LIMIT_HANDLING",
        [],
    ),
    (
        "service-tokens-name-the-apis-called",
        [
            "1. GET the member from member-api\n2. POST the accrual to points-api\n3. insert "
            "into pg\nService tokens and the pg password are issued by Vault."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "engine-in-brackets-is-the-hosted-database",
        [
            "1. take the Stripe charge\n2. write each row into Cloud SQL (Postgres)\n"
            "The Stripe key and the Cloud SQL password are in Vault."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "engine-in-the-host-name-is-the-hosted-database",
        [
            "1. upsert each order into our Supabase Postgres\nThe Postgres connection password "
            "is injected by Doppler."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "two-hosts-of-one-engine-leave-the-engine-its-own",
        [
            "1. copy rows from our RDS Postgres into our Supabase Postgres\nThe Postgres "
            "password is in Vault."
        ],
        "NO_VAULT_REFERENCE",
        [0, 0],
    ),
    (
        "statement-clauses-joined-by-and-scope-apart",
        [
            "1. create the folder in Google Drive\n2. write the row to Cloud SQL\nThe worker "
            "authenticates with workload identity federation and the Cloud SQL connection "
            "uses IAM auth."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "kind-names-the-credential",
        [
            "1. read rows from the Postgres DB\n2. create each deal in our CRM\nThe database "
            "password and the CRM token are in Vault."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "kind-of-write",
        [
            "1. refund the charge in Stripe\n2. post a note to Slack\nRefunds always carry an "
            "Idempotency-Key."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "both-calls-exactly",
        [
            "1. pull orders from Shopify\n2. create each in NetSuite\nBoth calls back off "
            "exponentially."
        ],
        "NO_RATE_LIMIT_HANDLING",
        [],
    ),
    (
        "both-names-its-two-steps",
        [
            "We open the account in core-banking-api, create the customer in Intercom, then post "
            "a welcome message to Slack. Both calls, account opening and customer creation, "
            "carry the check id as their idempotency key."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [3],
    ),
    (
        "two-nominalised-steps-are-one-subject-of-both",
        [
            "We POST the invoice to billing-svc, MERGE it into the warehouse table in BigQuery, "
            "then POST a notice to each tenant's callback URL. The billing-svc write and the "
            "warehouse MERGE are both safe to repeat."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [3],
    ),
    (
        "an-http-method-as-a-noun-names-its-step-the-get-loop",
        [
            "The job GETs each ticket from Freshdesk, then PUTs a label on /tickets/{id}. The "
            "GET loop is paced at 2 req/s."
        ],
        "NO_RATE_LIMIT_HANDLING",
        [2],
    ),
    (
        "a step's verb as a plural noun after 'the' names those steps ('the sends are deduped')",
        [
            "We upsert the meeting in Salesforce on the booking id and send a confirmation via "
            "Mandrill; the sends are deduped through the sent_emails table.",
            "Update: we dropped the sent_emails table.",
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a store named by its purpose ('the dedupe table') takes back each dedupe kept in one",
        [
            "We create the charge in Stripe with the order id as Idempotency-Key, then email "
            "the receipt via Postlane. The emails are de-duplicated through the `receipts` "
            "table, keyed on the order id.",
            "actually we dropped the dedupe table in last week's migration.",
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "an imperative removal in a later turn takes the mechanism back",
        [
            "we post each order to netsuite with exponential backoff; failures go to orders.dlq.",
            "update after the review: scrap the DLQ, the platform team won't host it.",
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [1],
    ),
    (
        "a later turn's write with no system is the design's one write",
        [
            "cron every 10 min pulls new rows from the pg outbox and publishes each to the "
            "partner's REST endpoint (POST /events).",
            "they reject a repeated `event_uuid`, and we already send the outbox row's uuid "
            "(assigned once at insert) as event_uuid.",
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "a name an earlier turn gave is known anywhere in a later turn ('the Kayako call')",
        [
            "A Jotform submission (webhook) creates a ticket in Kayako. Then we post a note to "
            "Slack.",
            "Only the Kayako call backs off (exponential, jitter).",
        ],
        "NO_RATE_LIMIT_HANDLING",
        [3],
    ),
    (
        "former-and-latter-are-the-first-and-second-of-a-pair",
        [
            "We POST the invoice to billing-svc, MERGE it into the warehouse table in BigQuery, "
            "then POST a notice to each tenant's callback URL. The billing-svc write and the "
            "warehouse MERGE are covered: the former sends an Idempotency-Key, the latter is "
            "keyed on the invoice id."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [3],
    ),
    (
        "a-bullet-indented-under-a-step-is-about-that-step",
        [
            "- Steps\n  - Create the applicant in Workable\n    - keyed on the submission id\n"
            "  - Post the applicant to #hiring on Slack\n- backoff: exponential, 5 tries"
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "an-exclusive-after-a-mechanism-narrows-it-by-pronoun",
        [
            "We create the candidate in Ashby, then book a slot in Cronofy. Calls use "
            "exponential backoff with jitter; only the Ashby call uses it though."
        ],
        "NO_RATE_LIMIT_HANDLING",
        [2],
    ),
    (
        "a-delivery-is-covered-when-every-step-after-it-has-a-terminal-path",
        [
            "Square webhook -> loyalty-svc adds points -> Klaviyo profile update. For "
            "loyalty-svc, failed requests go to points_dlq; for Klaviyo, to klaviyo_dlq."
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [],
    ),
    (
        "a-delivery-is-not-covered-when-a-step-after-it-has-no-terminal-path",
        [
            "Square webhook -> loyalty-svc adds points -> Klaviyo profile update. For "
            "loyalty-svc, failed requests go to points_dlq. Klaviyo calls are retried."
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [1, 3],
    ),
    (
        "both-is-the-two-calls-said-so-far-not-a-later-one",
        [
            "We create the lead in Close and enroll it in Outreach. Both calls back off "
            "exponentially.",
            "We're adding a third step: post the lead to #sales in Slack.",
        ],
        "NO_RATE_LIMIT_HANDLING",
        [3],
    ),
    (
        "a-claim-after-comma-plus-is-its-own-claim",
        [
            "read the contacts from Zoho CRM, create each one in Attio. Every call backs off "
            "exponentially, plus a dead-letter queue for the Attio calls."
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [1],
    ),
    (
        "an-env-line-is-the-credential-of-the-service-its-name-names",
        [
            "```\nORDERS_DB_URL=vault:database/creds/orders-export\nLEGACY_FTP_PASSWORD="
            "set-by-hand-on-the-box\n```\nNightly: read the orders from orders-db, then "
            "upload them to the distributor's FTP server."
        ],
        "NO_VAULT_REFERENCE",
        [0],
    ),
    (
        "env-lines-that-all-point-at-a-vault-leave-no-credential-finding",
        [
            "```\nORDERS_DB_URL=vault:database/creds/orders-export\nFTP_PASSWORD="
            "vault:kv/ftp#password\n```\nNightly: read the orders from orders-db, then "
            "upload them to the distributor's FTP server."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "a-failure-arrow-after-a-comma-is-a-claim-of-its-own",
        [
            "read the signups from pg, subscribe each address to the convertkit form. "
            "convertkit client exp backoff, failures → failed_subs table."
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [],
    ),
    (
        "a-guard-before-step-n-gates-that-step-and-every-later-one",
        [
            "1. Consume user.erasure_requested from Kafka.\n2. Delete the profile in Mixpanel."
            "\n3. Delete the contact in Intercom.\nBefore step 2 the consumer inserts the event"
            " ID into erasure_processed (unique constraint); a redelivered event is acknowledged"
            " without side effects."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "a-store-for-one-systems-write-failures-is-that-systems",
        [
            "Typeform webhook → insert the response into Postgres → PUT the contact into "
            "Mailchimp. Postgres insert failures go to a `failed_responses` table."
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [1, 3],
    ),
    (
        "sequence-word-opens-the-next-step",
        [
            "then we create payroll entries in Gusto (keyed on shift id, gusto rejects a reused "
            "external id), finally we text each worker their hours via twilio."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "the-verb-as-a-noun-names-its-step",
        [
            "We patch the invoice in billing-svc and post a note to Slack. The provider delivers "
            "at least once, so the patch goes out with the event id as its Idempotency-Key."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a-kind-of-receipt-failure-covers-the-receive",
        [
            "When Chargebee finalizes an invoice (their webhook) we store it in ddb keyed on "
            "invoice_id and then post it to each customer's callback url. payloads we can't "
            "parse go to the invoice-dlq."
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [2, 3],
    ),
    (
        "a-generic-system-named-for-its-credential-is-the-product-of-its-kind",
        [
            "Whenever a row lands in `outbox_events` (pg), the worker POSTs it to the customer's "
            "callback URL. All secrets are kept in Vault; the worker's database password comes "
            "from `DATABASE_URL` in its environment."
        ],
        "NO_VAULT_REFERENCE",
        [0],
    ),
    (
        "an-exception-leaves-out-only-what-it-names-before-the-predicate",
        [
            "router-svc creates the lead in Pipedrive, adds them to a Lemlist campaign and posts "
            "to Slack. Every write except the Slack post is keyed on the lead's uuid (Pipedrive "
            "custom field checked before create; Lemlist rejects a duplicate email)."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [3],
    ),
    (
        "a-later-stable-key-replaces-an-unstable-one",
        [
            "We push each account to Attio as a record; the Attio call is given a fresh UUID "
            "idempotency key on each attempt.",
            "We changed it: the key is now the account id, the same on every attempt.",
        ],
        "UNSTABLE_IDEMPOTENCY_KEY",
        [],
    ),
    (
        "retraction-reaches-its-step",
        [
            "We pull orders from Shopify, create each in NetSuite keyed on the order id, and text "
            "the customer via Twilio; before each SMS we check the sent-messages table and skip "
            "ids already there.",
            "we dropped the sent-messages table and the check before each SMS",
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [3],
    ),
    (
        "restatement-is-no-change",
        [
            "We pull orders from Shopify and create them in NetSuite. Both calls use exponential "
            "backoff with jitter.",
            "it waits about a second before the second try and about two before the third",
        ],
        "NO_RATE_LIMIT_HANDLING",
        [],
    ),
    (
        "a-verb-particle-subject-names-its-step-though-a-failure-word-follows",
        [
            "1. send the survey through Delighted\n2. write the score onto the Help Scout "
            "conversation\nFailures go to a DLQ. The write-back is set to 'continue on error'."
        ],
        "ERRORS_SWALLOWED",
        [2],
    ),
    (
        "an-exception-naming-a-services-action-leaves-out-that-step-only",
        [
            "When a Help Scout conversation is closed, Help Scout calls our webhook. We send a "
            "survey through Delighted and write the score back onto the Help Scout "
            "conversation. Everything except the Help Scout write-back has a dead-letter queue."
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [4],
    ),
    (
        "a-stores-constraint-named-by-the-store-guards-the-writes-to-it",
        [
            "1. POST the journal entry to QuickBooks\n2. write a row to the `payroll_runs` "
            "Postgres table\npayroll_runs has a unique constraint on gusto_payroll_uuid."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [1],
    ),
    (
        "an-action-that-names-no-system-restates-the-one-step-with-its-verb",
        [
            "Every evening the scheduler reads tomorrow's appointments from Postgres and sends "
            "one SMS per appointment through Twilio. We never send without first inserting the "
            "appointment id into `sms_sent` (unique)."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "a-possessive-in-a-relative-clause-points-back-at-nothing",
        [
            "1. stream the row into BigQuery\n2. update the profile in Braze\n3. post a note to "
            "Slack\nThe BigQuery and Braze calls retry with exponential backoff; events that "
            "exhaust their retries go to the dead-letter topic."
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [],
    ),
    (
        "a-consequence-after-a-condition-in-commas-has-the-subject-before-it",
        [
            "1. create the account in Google Workspace\n2. open a request in ServiceNow\nStep 1 "
            "retries with exponential backoff and, once retries are exhausted, writes the record "
            "to the `onboarding_failed` table."
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [2],
    ),
    (
        "keys-on-disk-are-a-credentials-place-not-a-negated-key",
        [
            "We create or update the person in Attio, matched on email, and create a link in "
            "Calendly. Each response id is recorded in `seen_responses`; a delivery whose id "
            "is already there stops before any write. No keys on disk; the worker pulls them "
            "from Secret Manager."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [],
    ),
    (
        "an-action-joined-by-or-is-one-step-and-restates-no-later-one",
        [
            "We create or update the person in Attio, matched on email, and create a link in "
            "Calendly."
        ],
        "WRITE_WITHOUT_IDEMPOTENCY",
        [2],
    ),
    (
        "a-limiter-in-front-of-an-english-word-vendor-guards-that-vendor",
        [
            "We create a transfer in Wise and post a note to Slack. We put a 10 req/s token bucket "
            "in front of wise."
        ],
        "NO_RATE_LIMIT_HANDLING",
        [2],
    ),
    (
        "an-english-word-vendor-listed-with-one-used-as-a-system-is-one",
        [
            "1) read payments from square\n2) create a transfer on wise\nsquare/wise tokens "
            "come from vault."
        ],
        "NO_VAULT_REFERENCE",
        [],
    ),
    (
        "a-line-labelled-by-a-service-is-about-that-service-to-its-end",
        [
            "1. send the photo to Snapsheet\n2. add a note in Zendesk\n**Snapsheet:** at most "
            "2 requests in flight; on error the photo is copied to `photo_failed`."
        ],
        "STEP_WITHOUT_FAILURE_PATH",
        [2],
    ),
    (
        "a-lexicon-product-named-by-its-domain-answers-to-its-stem",
        [
            "enrich the contact via apollo.io, then upsert the lead in HubSpot on email. apollo "
            "and hubspot calls are throttled to 5 rps."
        ],
        "NO_RATE_LIMIT_HANDLING",
        [],
    ),
    (
        "both-hops-through-a-named-queue-covers-both-calls",
        [
            "1. write the result to our FHIR server\n2. ask Twilio to text the patient\nBoth "
            "outbound hops go through a Mirth queue that backs off exponentially."
        ],
        "NO_RATE_LIMIT_HANDLING",
        [],
    ),
]


@pytest.mark.parametrize(
    ("turns", "code", "steps"), [pytest.param(t, c, s, id=i) for i, t, c, s in SCOPE_FORMS]
)
def test_scope_decides_which_steps_a_mechanism_covers(
    analyzer: Analyzer, turns: list[str], code: str, steps: list[int]
) -> None:
    findings = analyzer.analyze_turns(turns).findings
    assert sorted(f.step or 0 for f in findings if f.code == code) == steps


def test_without_it_denies_the_mechanism_before_it_for_its_own_clause(analyzer: Analyzer) -> None:
    """'..., but that backoff was Yotpo middleware; the Klaviyo calls go out directly without
    it': the backoff stays Yotpo's and is denied for Klaviyo, where 'without it' is said."""
    text = (
        "We post to Yotpo and to Klaviyo. Yotpo calls back off, but that backoff is Yotpo "
        "middleware; the Klaviyo calls go out directly without it."
    )
    claims = [c for c in analyzer.analyze(text).claims if c.kind == "backoff_exponential"]
    read = sorted((c.modality, tuple(c.scope.services)) for c in claims)
    assert ("negated", ("Klaviyo",)) in read
    assert all(m == "asserted" for m, svc in read if svc == ("Yotpo",))
