"""The reading of steps, one behaviour per row: the text, then the steps a reviewer reads.

Each row is named for the mechanism it pins (an identifier is no verb, a listed name shares
its preposition, ...), not for the case it came from.
"""

from __future__ import annotations

import pytest

from workflow_prover.analyzer import Analyzer

# (behaviour, text, steps as (action, services) in order)
ROWS = [
    (
        "a table's system column names each row's system, one no lexicon knows too",
        "| # | Step | System |\n|---|------|--------|\n| 1 | Receive the order webhook | "
        "Mollie |\n| 2 | Create the sales invoice | Exact Online |",
        [("read", ["Mollie"]), ("write", ["Exact Online"])],
    ),
    (
        "a write into a failure store that names no system is the failure path, no step",
        "Readings reach our ingest service as webhooks; the service upserts each into "
        "TimescaleDB. Every step runs inside a handler that, once the retries are exhausted, "
        "writes the reading with its error to the excursion_failed table.",
        [("read", ["ingest service"]), ("write", ["TimescaleDB"])],
    ),
    (
        "a bracket routing from where an action runs to a system says which system it reaches",
        "ChargeCustomer (Lambda -> Adyen /payments)\nRecordPayment (Lambda -> DynamoDB PutItem)",
        [("write", ["Adyen"]), ("write", ["Amazon DynamoDB"])],
    ),
    (
        "an action in brackets after the system the bracket names acts on it",
        "-- step 1 (Snowflake, SELECT only)",
        [("read", ["Snowflake"])],
    ),
    (
        "an arrow chain inside quotes is the flow's name, no steps",
        'n8n workflow "hubspot deal -> docusign envelope"\n- HTTP Request: POST DocuSign '
        "/envelopes",
        [("write", ["DocuSign"])],
    ),
    (
        "a system between a delegating verb and an infinitive is what the infinitive acts on",
        "the worker asks the Vimeo API to create a clip.",
        [("write", ["Vimeo"])],
    ),
    (
        "a delegating verb and its infinitive are one action ('tell Zendesk to close it')",
        "on each refund we tell Zendesk to close the ticket.",
        [("write", ["Zendesk"])],
    ),
    (
        "a generic call that asks for data of a kind reads it ('hits the api for new items')",
        "1) cron hits the square api for new catalog items 2) we create each one as a product "
        "in woocommerce",
        [("read", ["Square"]), ("write", ["WooCommerce"])],
    ),
    (
        "a generic call for each record still writes ('call the API for each refund')",
        "we call the Stripe API for each refund.",
        [("write", ["Stripe"])],
    ),
    (
        "a colon inside a diagram node's brackets labels the node; the chain is no title",
        "```mermaid\nflowchart LR\n  A[Shopify webhook: order paid] --> B[erp-svc: create the "
        "invoice]\n  B --> C[Klaviyo: send the receipt email]\n```",
        [("read", ["Shopify"]), ("write", ["erp-svc"]), ("write", ["Klaviyo"])],
    ),
    (
        "a category word quoted as the first part of a dotted name is a schema, no system",
        "nightly: upsert each contact into pg `crm.contacts` on hubspot_id.",
        [("write", ["PostgreSQL"])],
    ),
    (
        "a passive write on a record named for the first time is a step on whose record it is",
        "Each applicant is written with `Put_Applicant`, using the Greenhouse candidate id as "
        "the Workday applicant id.",
        [("write", ["Workday"])],
    ),
    (
        "a passive write on a record named before restates that step, no new one",
        "Each night the job creates a subscription in Chargebee; the subscription is created "
        "with `id` set to the sfdc opportunity id.",
        [("write", ["Chargebee"])],
    ),
    (
        "a category word before a database says whose database it is ('our TMS Postgres')",
        "The service upserts the event into our TMS Postgres, keyed on the shipment id.",
        [("write", ["PostgreSQL"])],
    ),
    (
        "a category word's possessive API is an API ('the customs broker's REST API')",
        "We file the export declaration with the customs broker's REST API.",
        [("write", ["customs broker's REST API"])],
    ),
    (
        "a head noun that ends a product's name names it later ('our Mosquitto broker')",
        "the smart meters publish readings to our Mosquitto broker. A consumer reads each "
        "message from the broker and stores it in InfluxDB.",
        [
            ("write", ["Eclipse Mosquitto"]),
            ("read", ["Eclipse Mosquitto"]),
            ("write", ["InfluxDB"]),
        ],
    ),
    (
        "a verb whose object is a mechanism acts on it, on no system guessed from elsewhere",
        "When a Help Scout conversation is tagged, Help Scout calls our webhook; billing-svc "
        "then issues a credit through the Recurly API.\n\n- anything that fails is handed to "
        "the error workflow, which stores the payload in `credit_failures` and opens a replay "
        "task for the billing on-call.",
        [("read", ["Help Scout"]), ("read", ["Help Scout"]), ("write", ["Recurly"])],
    ),
    (
        "an English-word vendor that is a whole table cell is the system ('| close (CRM) |')",
        "| step | service | action |\n|---|---|---|\n| 1 | close (CRM) | create a lead per "
        "order |\n| 2 | front | post a message to the shared inbox |",
        [("write", ["Close CRM"]), ("write", ["Front"])],
    ),
    (
        "a bucket a rate names is a limiter, no storage ('a 3 req/s bucket')",
        "| step | service | action | pacing |\n|---|---|---|---|\n| 1 | Front | post a message "
        "to the shared inbox | honours Retry-After, 3 req/s bucket |",
        [("write", ["Front"])],
    ),
    (
        "a setup section ('Get Started') tells how to run the project: no step",
        "# shopify-webhook\n\nAn app for listening to Shopify webhooks and posting each order "
        "to Slack.\n\n## Get Started\n\nCreate a `.env` file and store the key in there.",
        [("read", ["Shopify"]), ("write", ["Slack"])],
    ),
    (
        "an SQL write with its own ON CONFLICT ... DO NOTHING is a step on the store after it",
        "1. `POST /v2/statements` on statements-svc\n2. `INSERT INTO close_runs (...) ON "
        "CONFLICT (account_id, period) DO NOTHING` on the pg primary",
        [("write", ["statements-svc"]), ("write", ["PostgreSQL"])],
    ),
    (
        "placing a call or an order through a system writes to it",
        "The consumer places the call through the Vonage Voice API.",
        [("write", ["Vonage"])],
    ),
    (
        "a plural generic head with a kind of system names those systems ('the HR systems')",
        "A worker transmits each approved resume to the external HR systems.",
        [("write", ["external HR systems"])],
    ),
    (
        "a plural generic head with only vague words names no system ('all systems')",
        "All systems retry with backoff. We push each order to Linear.",
        [("write", ["Linear"])],
    ),
    (
        "'once a <noun> is <verb>' opens a trigger as 'when' does (not 'once a day')",
        "Once a timesheet is approved in our HR system, payroll-svc creates the payout in Wise.",
        [("read", ["HR system"]), ("write", ["Wise"])],
    ),
    (
        "a trigger word after a colon opens a trigger clause of its own",
        "To wrap up the payouts design: when a timesheet is approved in our HR system, "
        "payroll-svc creates the payout in Wise.",
        [("read", ["HR system"]), ("write", ["Wise"])],
    ),
    (
        "a background step on a system the design's own sections act on is a step of the flow",
        "Context: we create the bill in Sage Intacct.\n\nDecided:\n* every call to Intacct "
        "backs off exponentially\n* we query Intacct for the bill before creating it",
        [("write", ["Sage Intacct"]), ("read", ["Sage Intacct"])],
    ),
    (
        "a background step on a system the design only hears from stays background",
        "## Context\nSales closes contracts in DocuSign.\n\n## Flow\nWhen DocuSign notifies "
        "us that an envelope is completed, we create the folder in Google Drive.",
        [("read", ["DocuSign"]), ("write", ["Google Drive"])],
    ),
    (
        "'one' after 'each' stands for a noun: the word after it is the verb",
        "nightly: pull unpaid invoices from quickbooks, then for each one send a dunning email "
        "via postmark.",
        [("read", ["QuickBooks Online"]), ("write", ["Postmark"])],
    ),
    (
        "'create one' after a look-up acts on the system looked up",
        "we look up the Linear issue carrying the attachment and create one only if none exists.",
        [("read", ["Linear"]), ("write", ["Linear"])],
    ),
    (
        "an action on 'the X' with no system acts where an earlier clause wrote the X",
        "We create the bill in Sage Intacct, fetch the receipt PDF from Ramp's API and attach "
        "it to the bill.",
        [("write", ["Sage Intacct"]), ("read", ["Ramp"]), ("write", ["Sage Intacct"])],
    ),
    (
        "a system named only by its kind is the one product of that kind in another sentence",
        "The handler creates a video entry in Contentful. Then it updates the entry in the "
        "newsroom CMS.",
        [("write", ["Contentful"])],
    ),
    (
        "a product and a system of its kind named in one sentence stay two systems",
        "We copy coursework from Google Classroom into our LMS.",
        [("read", ["Google Classroom"]), ("write", ["LMS"])],
    ),
    (
        "an ellipsis inside inline code ends no sentence ('`INSERT ... ON CONFLICT`')",
        "For each order:\n(1) POST the accrual to ledger-api,\n(2) archive the snapshot in the "
        "`order_archive` table (pg, `INSERT ... ON CONFLICT (order_id) DO NOTHING`).",
        [("write", ["ledger-api"]), ("write", ["PostgreSQL"])],
    ),
    (
        "a key that is a phrase with a target names the system its value acts on",
        "- Insert into Aurora: `INSERT INTO registrations (id, email) VALUES ($1, $2)`\n"
        "- Push the lead to HubSpot.",
        [("write", ["Amazon Aurora"]), ("write", ["HubSpot"])],
    ),
    (
        "an event-name noun after a dotted name in code is a noun ('`x.created` messages')",
        "Trigger: `registration.created` messages on the SQS queue.\nWe create the contact in "
        "HubSpot.",
        [("write", ["HubSpot"])],
    ),
    (
        "a slug named as an internal service by its apposition is that service everywhere",
        "Points live in `points-ledger`, an internal HTTP service. We POST each accrual to "
        "points-ledger.",
        [("write", ["points-ledger"])],
    ),
    (
        "a verb word alone in inline code is a name ('the `labels` bucket'), no action",
        "1. When an order is packed in ShipHero (its webhook to us), we\n2. upload the label "
        "PDF to the `labels` bucket in gcs.",
        [("read", ["ShipHero"]), ("write", ["Google Cloud Storage"])],
    ),
    (
        "a bare category word for a message broker is the design's broker ('the broker')",
        "the dispatcher pulls outbox entries and publishes them to the broker; consumers read "
        "from the event bus.",
        [("write", ["broker"]), ("read", ["event bus"])],
    ),
    (
        "a template variable's dotted path is no service ('{{ $json.customer.email }}')",
        "Map `{{ $json.customer.email }}` to the contact's email and create the contact in "
        "HubSpot.",
        [("write", ["HubSpot"])],
    ),
    (
        "a removal that points back ('removes that') acts on nothing named after it",
        "v2 removes that: a message on the leads SQS queue starts the run, which creates the "
        "person in Pipedrive.",
        [("write", ["Pipedrive"])],
    ),
    (
        "a lower-case key that titles a line ('- trigger: ...') is no verb, nor a verb after it",
        "- trigger: `order.refunded` message on the `commerce` Pub/Sub topic\n"
        "- reverse the points in loyalty-api",
        [("write", ["loyalty-api"])],
    ),
    (
        "the bucket failed work is written to keeps it: no step ('a record that gives up ...')",
        "We upsert contacts into HubSpot keyed on email. A record that gives up is written to a "
        "gcs bucket and the next run re-ingests it.",
        [("write", ["HubSpot"])],
    ),
    (
        "a bucket written to with no failure routed to it is a step of its own",
        "We upsert contacts into HubSpot keyed on email. We export the nightly report to S3.",
        [("write", ["HubSpot"]), ("write", ["Amazon S3"])],
    ),
    (
        "firing an event at a system sends it; a run that fires on a schedule sends nothing",
        "the scheduler fires every 10 min, then we fire a klaviyo event per shipment.",
        [("write", ["Klaviyo"])],
    ),
    (
        "a dump from a system reads it",
        "each night we dump yesterday's shipments from the shipbob api and upsert them into "
        "snowflake.",
        [("read", ["ShipBob"]), ("write", ["Snowflake"])],
    ),
    (
        "a worker that removes or deletes records acts: no retraction without a version",
        "the worker deletes the user from intercom, then removes the member from mailchimp.",
        [("write", ["Intercom"]), ("write", ["Mailchimp"])],
    ),
    (
        "an HTTP method after 'for each' with its object is the verb ('for each POST a ...')",
        "every hour pull tickets from Front, and for each POST a summary to our notes-api.",
        [("read", ["Front"]), ("write", ["notes-api"])],
    ),
    (
        "systems other steps act on, 'called with' a mechanism, are those steps: no new step",
        "1. Pull refunds from the Braintree API.\n2. Post a credit note to Xero.\nBraintree and "
        "Xero are called with exponential backoff.",
        [("read", ["Braintree"]), ("write", ["Xero"])],
    ),
    (
        "a call to a system no other step acts on is a step",
        "Pull refunds from the Braintree API, then call Xero with exponential backoff.",
        [("read", ["Braintree"]), ("write", ["Xero"])],
    ),
    (
        "a plural noun with a relative clause before its auxiliary is the subject, no verb",
        "On each Shopify `orders/paid` webhook, relay-svc creates the order in fulfil-api. "
        "Requests that exhaust their attempts are written to `relay_parked`.",
        [("read", ["Shopify"]), ("write", ["fulfil-api"])],
    ),
    (
        "configuring a system's client is setup, no step",
        "Every 20 minutes sync-job reads changed products from Akeneo. The Akeneo client is "
        "configured through its usual `AKENEO_CLIENT_SECRET` environment variable.",
        [("read", ["Akeneo"])],
    ),
    (
        "a modal or a negation ends a generic system's name ('which still cannot call ...')",
        "order-intake creates the order in fulfil-api. Partner C, which still cannot call HTTP "
        "endpoints, was moved onto the same endpoint through a relay.",
        [("write", ["fulfil-api"])],
    ),
    (
        "a provider's guide to its webhooks delivers to the reader's endpoint ('your endpoint')",
        "A delivery is considered successful when your endpoint returns any 2xx status. Failed "
        "deliveries are retried with backoff.",
        [("write", ["webhook receiver endpoint"])],
    ),
    (
        "what becomes of a failure ('then dropped') in a table row is no step",
        "| # | system | action | on failure |\n|---|---|---|---|\n"
        "| 1 | Slack API | post a summary to #finance | exp. backoff + jitter, then dropped |",
        [("write", ["Slack"])],
    ),
    (
        "a vendor's name inside a path of ours is no service: the vendor POSTs to us",
        "Shopify POSTs each order to our /hooks/shopify endpoint, and we create the order in "
        "NetSuite.",
        [("read", ["Shopify"]), ("write", ["NetSuite"])],
    ),
    (
        "a sender POSTing to a path of ours, named by no product, delivers to us",
        "Relaypoint POSTs each new shipment event to our /hooks/relaypoint endpoint and we "
        "answer 200 straight away.",
        [("read", ["/hooks/relaypoint endpoint"])],
    ),
    (
        "names joined by a slash are both services ('Stripe/Shopify')",
        "We sync Stripe/Shopify orders into NetSuite.",
        [("read", ["Stripe", "Shopify"]), ("write", ["NetSuite"])],
    ),
    (
        "a verb word after a determiner and a name in code is a noun ('a `x.y` message')",
        "a `lead.created` message on the `leads` Pub/Sub subscription starts the run, which "
        "creates the person in Pipedrive.",
        [("write", ["Pipedrive"])],
    ),
    (
        "an identifier-headed object ('the label URL') is data written into the target",
        "the job upserts the label URL into orders-db's `labels` table keyed on shipment_id.",
        [("write", ["orders-db"])],
    ),
    (
        "webhook deliveries the workflow sends are a write to the receivers' endpoint",
        "We retry failed webhook deliveries with exponential backoff and log the final status.",
        [("write", ["webhook receiver endpoint"])],
    ),
    (
        "a vendor's webhook deliveries are no deliveries of ours",
        "Stripe webhook deliveries reach our endpoint and we create the invoice in Xero.",
        [("read", ["Stripe"]), ("write", ["Xero"])],
    ),
    (
        "a third party's outgoing webhooks are no step of ours",
        "we create the invoice in Xero. the vendor portal also has a replay button for its own "
        "outgoing webhooks.",
        [("write", ["Xero"])],
    ),
    (
        "a lower-case vendor that is also a word is the product as a node of an arrow chain",
        "stripe -> ledger-api -> segment",
        [("read", ["Stripe"]), ("write", ["ledger-api"]), ("write", ["Segment"])],
    ),
    (
        "a service named by its shape ('orders-api') is no API of the vendor beside it",
        "on each shippo tracker webhook we look up the order in orders-api, then text the "
        "customer through twilio.",
        [("read", ["Shippo"]), ("read", ["orders-api"]), ("write", ["Twilio"])],
    ),
    (
        "a run-starting verb in the passive names its agent as the sender ('is invoked by')",
        "The handler is invoked by each SQS message and creates the shipment in Shippo.",
        [("read", ["Amazon SQS"]), ("write", ["Shippo"])],
    ),
    (
        "a service's failure is a condition even with an aside between ('X (internal) returns "
        "503')",
        "When ledger-api (our internal HTTP service) returns 503 we post the entry to Xero "
        "instead.",
        [("write", ["Xero"])],
    ),
    (
        "a table row's action cell acts on the system its own row names",
        "| # | app | what | on failure |\n|---|---|---|---|\n| 1 | Mollie | list new payouts | "
        "payout_dlq |\n| 2 | Xero | create the journal entry | payout_dlq |",
        [("read", ["Mollie"]), ("write", ["Xero"])],
    ),
    (
        "a category word naming a service's resource is no service of its own",
        "3. Publish `settlement.recorded` to the `ledger` Kafka topic with the idempotent "
        "producer.",
        [("write", ["Apache Kafka"])],
    ),
    (
        "a dotted field of an object in code is no service called",
        "we issue the refund with Stripe; issue_refund passes "
        '`idempotency_key=f"refund-{req.refund_id}"`.',
        [("write", ["Stripe"])],
    ),
    (
        "a dotted table named for what failed is no service called",
        "we pull tickets from Zendesk and upsert them into BigQuery; a failed task writes its "
        "window to `support.export_failed`.",
        [("read", ["Zendesk"]), ("write", ["Google BigQuery"])],
    ),
    (
        "a dedupe guard's store is no step when 'before ...' is a clause of its own",
        "3. Post a message to Slack.\n4. Slack post: before posting, the job inserts the run's "
        "hour (e.g. `2026-12-01T16:00Z`) into a `slack_posts` table in Postgres with a unique "
        "constraint on it.",
        [("write", ["Slack"])],
    ),
    (
        "a service before a noun that owns what follows qualifies that noun",
        "we look up the customer's company in hubspot (search companies by the stripe "
        "customer's email domain).",
        [("read", ["HubSpot"])],
    ),
    (
        "an arrow chain of names ending in a title noun is a title",
        "Zendesk -> Jira bridge. We create a Jira issue for each escalated ticket.",
        [("write", ["Jira"])],
    ),
    (
        "an arrow chain of names before the colon the flow follows is a title",
        "Marketo -> Salesforce lead sync every 15 min: pull changed leads from the Marketo API "
        "and upsert each into Salesforce.",
        [("read", ["Marketo"]), ("write", ["Salesforce"])],
    ),
    (
        "a store written 'with' a key is the write's target, not where keys live",
        "list balance txns from stripe, insert each into ledger-db w/ idempotency key = txn id.",
        [("read", ["Stripe"]), ("write", ["ledger-db"])],
    ),
    (
        "the quoted words of a message are no action",
        '3. Post a message to the Slack channel #sales-ops: "N new leads synced to Airtable".',
        [("write", ["Slack"])],
    ),
    (
        "a store written by a dedupe guard ahead of another action is no step",
        "We post the summary to Slack. Before posting, the job inserts the run hour into a "
        "`slack_posts` table in Postgres with a unique constraint on it.",
        [("write", ["Slack"])],
    ),
    (
        "a call in brackets says how the action before it is done",
        "we provision the user in github (org invite), notion (scim POST /Users) and jira (scim).",
        [("write", ["GitHub", "Notion", "Jira"])],
    ),
    (
        "an arrow from calls to a mechanism says what the calls have, no step",
        "3) sync totals to netsuite. all http calls (ledger-api + netsuite) => exp backoff.",
        [("write", ["NetSuite"])],
    ),
    (
        "an arrow after a failure leads to a failure path, not a step",
        "2) create the order in netsuite. any failure -> dead-letter table + pagerduty + replay.",
        [("write", ["NetSuite"])],
    ),
    (
        "a write to 'the same database' is a write to the database named before",
        "1) read form submissions from the forms Postgres table 2) insert the lead into the "
        "leads table (same database) 3) add the person to a Mailchimp list.",
        [("read", ["PostgreSQL"]), ("write", ["PostgreSQL"]), ("write", ["Mailchimp"])],
    ),
    (
        "a verb-shaped word after an identifier is a noun",
        "we run a JQL search for the ticket id in the zendesk_id field and create a Jira issue.",
        [("write", ["Jira"])],
    ),
    (
        "a title before a colon after a bullet is no action",
        "We create invoices in Xero.\n- Calls to the Xero API: exponential backoff, 5 attempts.",
        [("write", ["Xero"])],
    ),
    (
        "an English-word vendor before 'of' is the word",
        "We charge the card in Square, with a limiter in front of the Square client.",
        [("write", ["Square"])],
    ),
    (
        "a common word one letter from a service name is the word",
        "Create the credit memo in the Kontor API.",
        [("write", ["Kontor API"])],
    ),
    (
        "a participle starting an identifier is no verb",
        "3. send the welcome email via postmark (sent_welcomes table, unique on tenant id).",
        [("write", ["Postmark"])],
    ),
    (
        "a dedupe table names no database next to an API",
        "send the receipt via postmark (receipts_sent table).",
        [("write", ["Postmark"])],
    ),
    (
        "a participle remark in brackets is no step",
        "send the welcome email via postmark (welcomes table, checked in the same activity).",
        [("write", ["Postmark"])],
    ),
    (
        "a noun inside brackets is no action",
        "we provision the user in github (org invite).",
        [("write", ["GitHub"])],
    ),
    (
        "a verb in a dotted event name is no action",
        "on okta user.lifecycle.activate event hook we provision the user in github.",
        [("read", ["Okta"]), ("write", ["GitHub"])],
    ),
    (
        "a slashed topic is the trigger's event",
        "on shopify orders/paid we create the invoice in xero.",
        [("read", ["Shopify"]), ("write", ["Xero"])],
    ),
    (
        "names listed after a target share its preposition",
        "we provision the user in github, notion and jira.",
        [("write", ["GitHub", "Notion", "Jira"])],
    ),
    (
        "an English-word vendor listed with products is the product",
        "we create the page in confluence (space ops), notion and jira.",
        [("write", ["Confluence", "Notion", "Jira"])],
    ),
    (
        "a noun after an adjective is no verb",
        "a salesforce outbound message (webhook) starts the flow; we create the tenant in "
        "tenant-svc.",
        [("read", ["Salesforce"]), ("write", ["tenant-svc"])],
    ),
    (
        "the webhook's subject sends it and the actions after it still act",
        "the Bookwise `booking.created` webhook triggers (a) charging the deposit via Paylo "
        "with `Idempotency-Key: booking_id` and (b) creating the event in Calendo.",
        [("write", ["Paylo"]), ("write", ["Calendo"])],
    ),
    (
        "an action on an identifier's owner acts on that system",
        "Trigger: GitHub `release.published` webhook.\n"
        "2. For each Jira issue key in the release body, transition the issue to Released.",
        [("read", ["GitHub"]), ("write", ["Jira"])],
    ),
    (
        "a schedule before a verb is no noun compound",
        "every night pull closed tickets from the Freshdesk API and email each requester a "
        "survey through SendGrid.",
        [("read", ["Freshdesk"]), ("write", ["SendGrid"])],
    ),
    (
        "a statement on the next line is no noun compound",
        "-- 2. load each row\nINSERT INTO ledger.entries (psp_ref, amount) VALUES (:a, :b);",
        [("write", ["ledger"])],
    ),
    (
        "an alert after a failure path is where alerts go",
        "we post the order to netsuite. failures land in failed_orders for manual replay. ops "
        "get a slack alert.",
        [("write", ["NetSuite"])],
    ),
    (
        "a 'service: VERB' line acts on the service its key names",
        "quickbooks: GET /v3/company/invoices and write each to postgres.",
        [("read", ["QuickBooks Online"]), ("write", ["PostgreSQL"])],
    ),
    (
        "a generic head glued to a word by a hyphen names no service",
        "we post the lead to hubspot and record API-call counts in redis.",
        [("write", ["HubSpot"]), ("write", ["Redis"])],
    ),
    (
        "a category word inside a snake_case identifier names no service",
        "we read orders from shopify and write each into the warehouse_crm_sync table in postgres.",
        [("read", ["Shopify"]), ("write", ["PostgreSQL"])],
    ),
    (
        "a phrase cue that owns a noun leaves the action asserted",
        "we create the issue in Jira, then post the link in the incident's Slack channel.",
        [("write", ["Jira"]), ("write", ["Slack"])],
    ),
    (
        "a CamelCase type name is no service",
        "we create the refund in Stripe. on ActivityFailure after the last attempt the "
        "workflow writes the input to refund_failures.",
        [("write", ["Stripe"])],
    ),
    (
        "a config line reads from its source key and writes to its sink key",
        "source: Adyen settlement report API\nsink: Postgres, upsert on psp_reference",
        [("read", ["Adyen"]), ("write", ["PostgreSQL"])],
    ),
    (
        "the value of a system key is what the step acts on",
        '1. check_signup: {db: postgres, query: "SELECT id FROM users"}',
        [("read", ["PostgreSQL"])],
    ),
    (
        "a semicolon ends the reach of an arrow chain",
        "github calls back off exponentially; any error → triage_dlq for replay. we label the "
        "issue in github.",
        [("write", ["GitHub"])],
    ),
    (
        "a '#channel' belongs to the one chat service the text names",
        "we read deals from salesforce and post one digest to #wins. Slack calls use backoff.",
        [("read", ["Salesforce"]), ("write", ["Slack"])],
    ),
    (
        "a verb of reversal is a write on its target",
        "2. Reverse the affiliate commission in our partner-payouts API.",
        [("write", ["partner-payouts API"])],
    ),
    (
        "'to our channel' is no delivery to us when the text names the system it is in",
        "post a short summary to our #customer-voice channel in microsoft teams.",
        [("write", ["Microsoft Teams"])],
    ),
    (
        "an English-word vendor after an article is the word",
        "we read tickets from zendesk and create cards in trello with the ticket id as the "
        "idempotency key. the keys are plain env vars on the box.",
        [("read", ["Zendesk"]), ("write", ["Trello"])],
    ),
    (
        "two actions on one system in one sentence are two steps",
        "typeform webhook -> create the contact in intercom -> add a tag to that contact -> "
        "post a summary to microsoft teams",
        [
            ("read", ["Typeform"]),
            ("write", ["Intercom"]),
            ("write", ["Intercom"]),
            ("write", ["Microsoft Teams"]),
        ],
    ),
    (
        "an abbreviation that is also a word names its product where it is a system",
        "2) index them into es, doc id = file path.",
        [("write", ["Elasticsearch"])],
    ),
    (
        "a quoted slug before 'service' names an internal service",
        "3) request a review in our `docs-review` service for any page flagged stale.",
        [("write", ["docs-review"])],
    ),
    (
        "an action on 'it' acts on what was said before, not on the system named next",
        "we look up the refund id in the dynamo table, else we put it with "
        "attribute_not_exists(refund_id), then post a credit note to the zentrix billing api.",
        [("write", ["zentrix billing api"])],
    ),
    (
        "an engine in brackets after a table a preposition introduces holds that table",
        "tasks:\n  - name: record\n    call: INSERT INTO partners (pg)\nwe read from `orders` "
        "(Postgres) and write to the partners table (MySQL).",
        [("write", ["PostgreSQL"]), ("read", ["PostgreSQL"]), ("write", ["MySQL"])],
    ),
    (
        "a URL path before 'endpoint' names the endpoint ('their /notify endpoint')",
        "we upload the csv to the partners sftp and then hit their /notify endpoint.",
        [("write", ["partners sftp"]), ("write", ["/notify endpoint"])],
    ),
    (
        "a product named in full is named again by its last word written as a name ('Teams')",
        "1. create the claim in Guidewire\n2. notify the adjuster in Microsoft Teams\n3. post "
        "the summary to Teams\n4. tell the support teams by email via SES",
        [
            ("write", ["Guidewire"]),
            ("write", ["Microsoft Teams"]),
            ("write", ["Microsoft Teams"]),
            ("write", ["Amazon SES"]),
        ],
    ),
    (
        "a verb before a hyphenated adjective acts ('pulls closed-won deals')",
        "Each night the `crm-sync` job pulls closed-won deals from sfdc, then opens a "
        "subscription in Chargebee.",
        [("read", ["Salesforce"]), ("write", ["Chargebee"])],
    ),
    (
        "webhooks to recipients are deliveries we send ('retry the delivery to the webhook "
        "recipient')",
        "In case the webhook recipient is offline, we retry the delivery with exponential backoff.",
        [("write", ["webhook receiver endpoint"])],
    ),
    (
        "a service head makes an HTTP service, whatever data its word suggests ('our ledger "
        "service')",
        "We POST each entry to our ledger service.",
        [("write", ["ledger service"])],
    ),
    (
        "a context section that is the only place the deliveries are told still names them",
        "# ADR 3: Retry strategy\n\n## Context\nWebhook deliveries fail for various reasons."
        "\n\n## Decision\nUse exponential backoff with jitter, maximum 5 attempts.",
        [("write", ["webhook receiver endpoint"])],
    ),
    (
        "a category word before a noun for data names what is written, not where",
        "- consume payments.settled from Kafka\n- insert ledger rows into Postgres",
        [("read", ["Apache Kafka"]), ("write", ["PostgreSQL"])],
    ),
    (
        "an 'after' that names only a system orders the steps, it is no delivery",
        "Create the profile in Klaviyo. After Klaviyo, send an SMS through Plivo.",
        [("write", ["Klaviyo"]), ("write", ["Plivo"])],
    ),
    (
        "a vendor named by an English word is the product in a system's place ('in outreach')",
        "we create the lead in close.com and enroll it in a sequence in outreach. our outreach "
        "emails are not part of this.",
        [("write", ["Close CRM"]), ("write", ["Outreach.io"])],
    ),
    (
        "a person noun a service's name qualifies is no actor ('Iterable user update')",
        "Pipeline: Stripe webhook -> Iterable user update",
        [("read", ["Stripe"]), ("write", ["Iterable.com"])],
    ),
    (
        "a transfer from a system that delivers to us reads by that delivery, no call of ours",
        "We sync Shopify orders to NetSuite. Shopify sends `orders/create` webhooks to an API "
        "Gateway endpoint; the lambda behind it creates a sales order in NetSuite.",
        [("write", ["NetSuite"]), ("read", ["Shopify"])],
    ),
    (
        "a dotted name's part inside a longer identifier is no system (`user_membership.add`)",
        "1. Okta's event hook posts `group.user_membership.add`.\n2. We add the user to the "
        "matching group through the Admin SDK Directory API.",
        [("read", ["Okta"]), ("write", ["Google Workspace"])],
    ),
    (
        "an arrow node whose bracket says where it runs is our code, no step ('(Cloud Run)')",
        "`orders.shipped` (Pub/Sub push) → `sms-notifier` (Cloud Run) → Twilio Messages API",
        [("read", ["Google Cloud Pub/Sub"]), ("write", ["Twilio"])],
    ),
    (
        "another system's publish to a broker the text then consumes from is our read of it",
        "The auth service publishes `password_reset.requested` to RabbitMQ; the `mailer` "
        "consumes it and sends the reset e-mail through the Mailgun messages API.",
        [("read", ["RabbitMQ"]), ("write", ["Mailgun"])],
    ),
    (
        "our own publish to a broker stays a write, whoever consumes it",
        "We publish each order to RabbitMQ; the analytics team consumes it.",
        [("write", ["RabbitMQ"])],
    ),
    (
        "a method call wrapped in a retry helper is still a step (`withRetry(() => x.create())`)",
        "for await (const msg of consumer) {\n  await withRetry(retry, () => "
        "shippo.createShipment(msg.value))\n}",
        [("write", ["Shippo"])],
    ),
    (
        "a SQL statement handed to a query call acts on the call's receiver",
        "for await (const msg of consumer) {\n  await pg.query('INSERT INTO shipments(order_id)"
        " VALUES ($1)', [msg.id])\n}",
        [("write", ["PostgreSQL"])],
    ),
    (
        "a call on a client that sends to a dead-letter topic is the failure path, no step",
        "for await (const msg of consumer) {\n  try {\n    await hubspot.contacts.create(msg)"
        "\n  } catch (e) {\n    await producer.send({ topic: 'contacts.v1.DLT', messages: "
        "[msg] })\n  }\n}",
        [("write", ["HubSpot"])],
    ),
    (
        "an object the code builds itself is no system (`bucket = TokenBucket(...)`)",
        "const bucket = new TokenBucket({ rate: 20 })\nconst failed: string[] = []\n"
        "for (const id of ids) {\n  bucket.take()\n  await mailchimp.members.update(id)\n"
        "  failed.push(id)\n}",
        [("write", ["Mailchimp"])],
    ),
    (
        "a call inside another call's arguments acts on its own receiver",
        "for (const id of ids) {\n  await limiter.schedule(() => intercom.contacts.upsert({ "
        "external_id: id }))\n}",
        [("write", ["Intercom"])],
    ),
    (
        "a step noun set to a value in the passive configures the step, no step of its own",
        "We add the row to Airtable. The Slack node is set to 'Continue On Fail'.",
        [("write", ["Airtable"])],
    ),
    (
        "an identifier carried into a field of another's record is that write's key, no step",
        "We create a bill in Xero for each invoice and put the invoice ID in the bill's reference.",
        [("write", ["Xero"])],
    ),
    (
        "an identifier written into a table is a write of its own",
        "We create a bill in Xero and write the bill ID into the invoices table in Postgres.",
        [("write", ["Xero"]), ("write", ["PostgreSQL"])],
    ),
    (
        "an unknown product's name ends with its line ('via Lob' then a blank line)",
        "## PR #77: postcards via Lob\n\nAdds a worker. We mail a postcard through Lob.",
        [("write", ["Lob"])],
    ),
    (
        "a history label ('**Before**:') makes its sentence no step of the design",
        "**Before**: invoices were pushed to Zoho Books in a loop.\n\n**After**: orders from "
        "Pub/Sub → create the invoice in Xero.",
        [("read", ["Google Cloud Pub/Sub"]), ("write", ["Xero"])],
    ),
    (
        "a vendor's bare name stands for the one product of it the text names",
        "We create the invoice in Zoho Books. Zoho's API is called with backoff.",
        [("write", ["Zoho Books"])],
    ),
    (
        "an action naming no system acts on the one API its bracketed remark names",
        "On a HubSpot webhook we mail a postcard through Lob.\n- `POST /v1/postcards` with the "
        "key header (Lob supports it natively)\n- we insert the row into MySQL.",
        [("read", ["HubSpot"]), ("write", ["Lob"]), ("write", ["MySQL"])],
    ),
    (
        "a change that opens with code it builds ('Adds `postcard-svc`') acts on no system",
        "Adds `postcard-svc`. It mails a postcard through Lob.",
        [("write", ["Lob"])],
    ),
    (
        "a building verb with a target is an action ('adds the note to the ticket')",
        "Adds the `note` to the Zendesk ticket.",
        [("write", ["Zendesk"])],
    ),
    (
        "another system publishing to our queue is the event that starts the run, no write",
        "ledger-api publishes payment.approved to NATS JetStream. The payments worker sends "
        "the wire through Modern Treasury.",
        [("read", ["ledger-api"]), ("write", ["Modern Treasury"])],
    ),
    (
        "our own worker publishing to a queue is a write",
        "The payments worker publishes payment.sent to NATS JetStream.",
        [("write", ["NATS"])],
    ),
    (
        "a lower-case title before a colon ('release bot:') is no action",
        "release bot: GitHub release webhook → we create a page in Notion.",
        [("read", ["GitHub"]), ("write", ["Notion"])],
    ),
    (
        "an alert once retries run out is where failures are told, no step",
        "We create the user in Okta, 5 attempts. When the attempts run out, we get a Slack alert.",
        [("write", ["Okta"])],
    ),
    (
        "a hyphenated name before an API head names a service, though a word of it is a cue",
        "It then writes an audit entry to the audit-log API.",
        [("write", ["audit-log API"])],
    ),
    (
        "a lookup in a clause that de-duplicates is the dedupe's own, not a read of a system",
        "The worker buys a label from Shippo. Before buying, we check the `labels` table for "
        "the order id and skip if a label exists.",
        [("write", ["Shippo"])],
    ),
    (
        "a paragraph label that only ends in a section word names the flow, not a section",
        "No-show follow-ups: every evening we list the no-shows from the Cliniko API and text "
        "each patient through Twilio.",
        [("read", ["Cliniko API"]), ("write", ["Twilio"])],
    ),
    (
        "a first heading 'kind: subject' titles the text and opens no section of its kind",
        "## Incident review: ex-employee kept GitHub access\n\nThe script lists terminations "
        "from Rippling and suspends the Okta user.",
        [("read", ["Rippling"]), ("write", ["Okta"])],
    ),
    (
        "a call to a service that failed is a condition, not a receive from it",
        "The script suspends the Okta user. When the GitHub call failed with a 502 the script "
        "crashed.",
        [("write", ["Okta"])],
    ),
    (
        "a verb word after a measure ('a 5-minute schedule') is a noun, the clause's verb acts",
        "a lambda on a 5-minute schedule reads new rows from our RDS postgres and publishes "
        "each one to SQS.",
        [("read", ["Amazon RDS"]), ("write", ["Amazon SQS"])],
    ),
    (
        "a list's lead-in that names the flow and its trigger adds no step before the list's",
        "Onboarding workflow for new Okta users (triggered by the Okta event hook):\n"
        "1. Receive the Okta event.\n2. Create a BambooHR employee stub.",
        [("read", ["Okta"]), ("write", ["BambooHR"])],
    ),
    (
        "a vendor's bare name that is its own product of another kind stays that product",
        "We email the finance team through sendgrid and text the on-call through twilio.",
        [("write", ["SendGrid"]), ("write", ["Twilio"])],
    ),
    (
        "an enrichment through a system reads that system",
        "typeform webhook -> enrich the lead via clearbit -> upsert the contact in hubspot.",
        [("read", ["Typeform"]), ("read", ["Clearbit"]), ("write", ["HubSpot"])],
    ),
    (
        "an arrow segment whose bracket ends with 'read-only' reads its system",
        "`typeform` (webhook) => `clearbit` (enrich, read-only) => `hubspot` (upsert the "
        "contact by email)",
        [("read", ["Typeform"]), ("read", ["Clearbit"]), ("write", ["HubSpot"])],
    ),
    (
        "a removal of it in a system is an action on that system",
        "When a ticket is marked spam, the bot deletes it in Help Scout and posts a note to Slack.",
        [("write", ["Help Scout"]), ("write", ["Slack"])],
    ),
    (
        "a month after a preposition is a time, no service",
        "We added the retry in March; the job creates deals in HubSpot on Fridays.",
        [("write", ["HubSpot"])],
    ),
    (
        "a removal of them from a system is an action on that system",
        "The script suspends the Okta user and removes them from the GitHub org.",
        [("write", ["Okta"]), ("write", ["GitHub"])],
    ),
    (
        "'no' opening a hyphenated noun ('no-shows') negates nothing",
        "We list the no-shows from Cliniko.",
        [("read", ["Cliniko"])],
    ),
    (
        "an action after 'either' acts on the system the sentence acted on",
        "The scenario searches your Airtable Clients table for that person, and then either "
        "creates a new record or updates the existing one.",
        [("read", ["Airtable"]), ("write", ["Airtable"])],
    ),
    (
        "a generic name after a comma and 'our' is the product it follows ('Attio, our CRM')",
        "We take new Calendly bookings and create the person in Attio, our CRM.",
        [("read", ["Calendly"]), ("write", ["Attio"])],
    ),
    (
        "in an arrow chain, the first segment naming a system is read from, not written to",
        "sensors → hivemq cloud (mqtt) → our worker subscribes → insert each reading into "
        "timescale",
        [("read", ["HiveMQ"]), ("write", ["TimescaleDB"])],
    ),
    (
        "a comparison ends a condition, and the verb after it acts ('if temp > 8 post ...')",
        "We insert each reading into Postgres. if temp > 8°C post an excursion notice to Slack.",
        [("write", ["PostgreSQL"]), ("write", ["Slack"])],
    ),
    (
        "making an API key is setup, no step of the workflow",
        "Create a restricted API key from your Stripe dashboard. The job fetches the invoices "
        "from Stripe.",
        [("read", ["Stripe"])],
    ),
    (
        "issuing a certificate in a credentials product is a write of its data",
        "For each completion we issue a certificate in Accredible.",
        [("write", ["Accredible"])],
    ),
    (
        "a verb after a runner of ours acts, though a verb-shaped word follows ('lists charges')",
        "The job lists charges from Stripe. Truck GPS pings arrive from Samsara.",
        [("read", ["Stripe"]), ("read", ["Samsara"])],
    ),
    (
        "a verb-shaped word after 'as' is what something is, no action ('lands as messages')",
        "Each day the export lands as messages on Amazon SQS.",
        [],
    ),
    (
        "a past participle after a plural noun opening the clause describes the noun",
        "Requests submitted on the Drupal webform on our site arrive as messages on the "
        "foi-intake subscription in Azure Service Bus. We insert each into Postgres.",
        [("write", ["PostgreSQL"])],
    ),
    (
        "queuing work or marking our own job done acts on no system",
        "When a Shopify order is placed, we pick it up via webhook and queue it for processing. "
        "The worker writes the order to Odoo and marks the job complete.",
        [("read", ["Shopify"]), ("write", ["Odoo"])],
    ),
    (
        "a verb that makes its data from a source ('enriches the lead from Apollo') reads it",
        "lead-router enriches the lead from Apollo, then upserts the lead in Salesforce.",
        [("read", ["Apollo"]), ("write", ["Salesforce"])],
    ),
    (
        "a removal from a system ('deletes the file from S3') still writes that system",
        "The job generates the CSV from Postgres and deletes the processed file from S3.",
        [("read", ["PostgreSQL"]), ("write", ["Amazon S3"])],
    ),
    (
        "a provider named by its kind that calls our hook delivers to us ('the payment provider')",
        "the payment provider calls our /conversions hook and conversion-svc creates the contact "
        "in Salesforce.",
        [("read", ["payment provider"]), ("write", ["Salesforce"])],
    ),
    (
        "a system that calls an API of another ('calls the Stripe API') still calls out",
        "the worker calls the Stripe API and creates the contact in Salesforce.",
        [("write", ["Stripe"]), ("write", ["Salesforce"])],
    ),
    (
        "'picks up ... from' reads the system it picks up from",
        "The job picks up the file from S3 and then creates the invoice in Xero.",
        [("read", ["Amazon S3"]), ("write", ["Xero"])],
    ),
    (
        "a service at a line's end qualifies no noun on the next line ('through Lob' / "
        "'- Secrets')",
        "- send each reminder through Lob\n- Secrets\n  - Lob key: AWS Secrets Manager",
        [("write", ["Lob"])],
    ),
    (
        "a lower-case domain after a place preposition is the product it names ('in smile.io')",
        "Create the order in ShipHero, then add loyalty points in smile.io.",
        [("write", ["ShipHero"]), ("write", ["smile.io"])],
    ),
    (
        "a file name is no domain ('in config.py')",
        "Create the order in ShipHero and keep the cursor in config.py.",
        [("write", ["ShipHero"])],
    ),
    (
        "a call that names no system in a clause stating a mechanism restates how calls are "
        "made ('we call it w/ backoff'), no step on the trigger's sender",
        "stripe webhook (charge.succeeded) -> ledger-api POST /entries. ledger-api dedups on the "
        "stripe event id, we call it w/ exp backoff + jitter, max 6 tries.",
        [("read", ["Stripe"]), ("write", ["ledger-api"])],
    ),
    (
        "a call that names no system and states no mechanism still acts ('then we call it')",
        "stripe webhook (charge.succeeded) arrives at our handler. Then we call it again to "
        "fetch the charge.",
        [("read", ["Stripe"]), ("write", ["Stripe"])],
    ),
    (
        "a day of the month after 'on the' is a date, and the word after it the verb ('on the "
        "25th pull')",
        "1) on the 25th pull approved timesheets from Deel 2) create a payout in Wise",
        [("read", ["Deel"]), ("write", ["Wise"])],
    ),
    (
        "a count before a verb-shaped word is its noun ('the 3 posts')",
        "We read the 3 posts from WordPress.",
        [("read", ["WordPress"])],
    ),
    (
        "a capitalised verb after a click-type verb is a button's name ('hits Publish')",
        "When an editor hits Publish in Arc XP, the CMS sends a webhook to our worker, which "
        "uploads the HTML to GCS.",
        [("read", ["Arc XP"]), ("read", ["CMS"]), ("write", ["Google Cloud Storage"])],
    ),
    (
        "what a removal takes from a system is its data ('purges the story URL from Fastly')",
        "The worker purges the story URL from Fastly.",
        [("write", ["Fastly"])],
    ),
    (
        "a lower-case product no lexicon lists is a system where a call verb names it too",
        "1) create the shipment in parcelwise 2) send the buyer a receipt via Postmark. we call "
        "parcelwise with an idempotency key.",
        [("write", ["parcelwise"]), ("write", ["Postmark"])],
    ),
    (
        "'a service called X' names a system, so X after a place preposition is that system",
        "the form posts to zapline, and a service called zapline creates the ticket in Jira.",
        [("write", ["zapline"]), ("write", ["Jira"])],
    ),
    (
        "a word after a place preposition twice is no product ('in bulk')",
        "We upsert contacts into HubSpot in bulk. Deals are written to HubSpot in bulk.",
        [("write", ["HubSpot"])],
    ),
    (
        "a product named by its domain is named again by the name before the dot",
        "Add the points in rewardly.io; later, reverse the points in rewardly.",
        [("write", ["rewardly.io"]), ("write", ["rewardly.io"])],
    ),
    (
        "a phrasal verb split by its object reads as the phrasal verb ('look the customer up')",
        "We look the customer up in HubSpot, then create the deal there.",
        [("read", ["HubSpot"]), ("write", ["HubSpot"])],
    ),
    (
        "a pronoun object between a phrasal verb and its particle ('picks them up from')",
        "The worker picks them up from the SFTP server and loads them into BigQuery.",
        [("read", ["SFTP server"]), ("write", ["Google BigQuery"])],
    ),
    (
        "what is handed to a system goes to it ('hands it to fulfilment-api')",
        "The handler validates the order and hands it to fulfilment-api.",
        [("write", ["fulfilment-api"])],
    ),
    (
        "a verb-shaped word after 'by' is a noun ('checks them by hand')",
        "Export the invoices from Xero; finance checks them by hand.",
        [("read", ["Xero"])],
    ),
    (
        "an external system that gets or receives data as the subject is written to",
        "We create the invoice in Stripe, and then Xero receives a copy.",
        [("write", ["Stripe"]), ("write", ["Xero"])],
    ),
    (
        "a system that receives a trigger or an event is called, not written to",
        "When a Zendesk ticket is tagged, zen-bridge receives the trigger and creates a Jira "
        "issue.",
        [("read", ["Zendesk"]), ("write", ["Jira"])],
    ),
    (
        "a write into the dedupe's own store is the mechanism, no step on the sender",
        "On a Stripe webhook the handler first records the event id in a processed_events "
        "table, then creates the order in Shopify.",
        [("read", ["Stripe"]), ("write", ["Shopify"])],
    ),
    (
        "picking up a trigger's event via webhook is the receive already read, no second read",
        "When a Shopify order is placed, we pick up the order via webhook and create the "
        "invoice in Xero.",
        [("read", ["Shopify"]), ("write", ["Xero"])],
    ),
    (
        "telling people something through a channel is a write to the channel",
        "When the refund is issued, tell the customer by SMS via Twilio.",
        [("write", ["Twilio"])],
    ),
    (
        "a verb-shaped word alone in quotes after a determiner is a name ('our 'Refunds' base')",
        "The scenario issues the refund in Shopify and then writes a line to our 'Refunds' "
        "Airtable base.",
        [("write", ["Shopify"]), ("write", ["Airtable"])],
    ),
    (
        "a read from a secrets store fetches a credential: no step, on it or on another system",
        "We create the order in Shopify. The worker reads its settings from AWS Secrets Manager.",
        [("write", ["Shopify"])],
    ),
    (
        "'never V without W' asserts the action: the step stays",
        "We never charge the card in Stripe without an idempotency key.",
        [("write", ["Stripe"])],
    ),
    (
        "an adverb between the auxiliary and a participle keeps the passive ('is also POSTed')",
        "We create the order in Shopify. Each order is also POSTed to the partner's points API "
        "(the partner rejects a repeated id).",
        [("write", ["Shopify"]), ("write", ["points API"])],
    ),
    (
        "a noun and a verb-shaped word before a bracket open a title, no step ('lead sync (')",
        "lead sync (pipedrive into mailchimp). steps: 1) list deals from pipedrive 2) upsert "
        "each contact into mailchimp",
        [("read", ["Pipedrive"]), ("write", ["Mailchimp"])],
    ),
    (
        "sending an id in the key just named carries the key: no write of its own",
        "We issue a gift card in giftcard-api. giftcard-api takes an `Idempotency-Key` header "
        "and we send the shopify order id in it.",
        [("write", ["giftcard-api"])],
    ),
    (
        "an English-word vendor after 'at' is the system acted on ('the transfer at wise')",
        "the worker creates the transfer at wise.",
        [("write", ["Wise"])],
    ),
    (
        "a dotted call in a bracket right after a service is that service's method",
        "We push each product to the google merchant api (products.insert, offerId = sku).",
        [("write", ["google merchant api"])],
    ),
    (
        "a person iterated over ('for each merchant') is no actor whose event starts the run",
        "1) read yesterday's payments from Square\n2) for each merchant create a transfer on wise",
        [("read", ["Square"]), ("write", ["Wise"])],
    ),
    (
        "the words of a source file's path name no service, cue or verb",
        "The handler in `src/webhooks/stripe/charge-refund.ts` creates the credit note in Xero.",
        [("write", ["Xero"])],
    ),
    (
        "'the same for X' repeats the step before it on X",
        "1. `fetch_a`: GET orders from Shopify\n2. `fetch_b`: the same for WooCommerce",
        [("read", ["Shopify"]), ("read", ["WooCommerce"])],
    ),
    (
        "an SQL verb in capitals in inline code still acts ('`MERGE` into ...')",
        "Then `MERGE` into `marketing.ad_spend` in Snowflake on the campaign id.",
        [("write", ["Snowflake"])],
    ),
    (
        "the day the data is about is no history ('reports for yesterday')",
        "Every morning we GET the TikTok Marketing API reports for yesterday.",
        [("read", ["TikTok"])],
    ),
    (
        "an English-word vendor written with a capital mid-sentence is the product ('in Close')",
        "1. query Recurly for renewals\n2. Create a follow-up task in Close for the account owner.",
        [("read", ["Recurly"]), ("write", ["Close CRM"])],
    ),
    (
        "an overview sentence that the labelled steps after it restate is no step of its own",
        "We sync Zoho CRM deals to Xero. Step 1: poll Zoho for closed-won deals. Step 2: "
        "create the invoice in Xero.",
        [("read", ["Zoho CRM"]), ("write", ["Xero"])],
    ),
    (
        "a background step the design's own steps restate is that step, not one more",
        "## Context\nThe pipeline moves approved refunds into Adyen.\n\n## Decision\n"
        "- Step 1: call Adyen `/refunds` with the refund ID as the Idempotency-Key.\n"
        "- Step 2: send the confirmation email through Postmark.",
        [("write", ["Adyen"]), ("write", ["Postmark"])],
    ),
    (
        "a dedupe insert before an action names its store and guesses no system",
        "On a Stripe webhook we send the receipt through Postmark. Before sending we insert the "
        "event ID into `notifications` (unique constraint on event_id).",
        [("read", ["Stripe"]), ("write", ["Postmark"])],
    ),
    (
        "a third-person verb opening an enumerated item acts, whatever noun follows it",
        "the sync: 1) reads orders from pg 2) posts a note to jira.",
        [("read", ["PostgreSQL"]), ("write", ["Jira"])],
    ),
    (
        "a slashed pair of verbs of one form acts ('creates/updates the ticket')",
        "the sync: 1) pulls the order from Shopify 2) creates/updates the zendesk ticket.",
        [("read", ["Shopify"]), ("write", ["Zendesk"])],
    ),
    (
        "a slashed topic of a noun and a verb is an event name, no action",
        "On a Shopify orders/paid webhook we insert the order into Postgres.",
        [("read", ["Shopify"]), ("write", ["PostgreSQL"])],
    ),
    (
        "a cue in a bracket after a store is a remark of its own, no host of the store",
        "the sync: 1) the lambda reads ddb stream records (on-failure destination sends failed "
        "batches to an sqs queue we replay) 2) posts a note to jira.",
        [("read", ["Amazon DynamoDB"]), ("write", ["Jira"])],
    ),
    (
        "a bracket after the system that only says the step reads makes a write verb a read",
        "we enrich the contact via Clearbit (read-only), then upsert the lead in Close.",
        [("read", ["Clearbit"]), ("write", ["Close CRM"])],
    ),
    (
        "a bracket after the system that says no writes elsewhere leaves the write a write",
        "we update the contact in Clearbit (no writes to hubspot).",
        [("write", ["Clearbit"])],
    ),
    (
        "a dotted name whose last part is a verb in the third person names a topic, no write",
        "indexer-svc consumes messages from the `catalog.updates` Kafka topic and upserts the "
        "product into es.",
        [("write", ["Elasticsearch"])],
    ),
    (
        "an SQL statement in capitals after an article, with its target, is the write",
        "Next the warehouse gets its copy: a MERGE into `analytics.daily_totals` in BigQuery.",
        [("write", ["Google BigQuery"])],
    ),
    (
        "a page sent through an alerting service on a failure is the alert, no step",
        "we upsert orders in Gainsight; a task that exhausts its retries writes the record to "
        "`etl_quarantine` and pages via Opsgenie.",
        [("write", ["Gainsight"])],
    ),
    (
        "'before' and a gerund orders the flow's own steps: the action it names is no new step",
        "worker consumes jobs from RabbitMQ and sends each email through Postmark. Before "
        "sending, the worker does SETNX on the job id in Redis.",
        [("read", ["RabbitMQ"]), ("write", ["Postmark"])],
    ),
    (
        "'after' and a gerund with its object is the flow's own write, no delivery from it",
        "After creating the invoice in Xero, we email the PDF to the customer through Postmark.",
        [("write", ["Xero"]), ("write", ["Postmark"])],
    ),
    (
        "a system's recovery is a state: 'once the provider recovers' is no delivery from it",
        "the worker sends each email through Postmark; failed ones are replayed once Postmark "
        "recovers.",
        [("write", ["Postmark"])],
    ),
    (
        "an intent is the design: the actions after 'we want to' are its steps",
        "After a Calendly booking lands, we want to create the lead in Salesforce, log a call "
        "on it, and then close the task in Asana.",
        [("read", ["Calendly"]), ("write", ["Salesforce"]), ("write", ["Asana"])],
    ),
    (
        "a deferral outweighs an intent: an action wanted for later is no step yet",
        "We plan to create the invoice in Xero later and email it via Postmark.",
        [("write", ["Postmark"])],
    ),
    (
        "a past intent is no step: 'we were going to sync' tells of a plan given up",
        "We were going to sync Stripe customers into HubSpot, but we scrapped that project last "
        "sprint.",
        [],
    ),
    (
        "an 'after' clause with a verb of its own is an event in that system, not our write",
        "After a deal closes in Pipedrive, we create a project in Asana.",
        [("read", ["Pipedrive"]), ("write", ["Asana"])],
    ),
    (
        "a call's HTTP method says whether it reads: 'calls `GET /...` on Zendesk' is a read",
        "Every weekday the script calls `GET /api/v2/search.json` on Zendesk, then we call "
        "Slack (POST /api/chat.postMessage).",
        [("read", ["Zendesk"]), ("write", ["Slack"])],
    ),
    (
        "an upper-case SQL statement naming no system runs on the flow's database",
        "Nightly we read unsent rows from Postgres, send each through Postmark, then mark them "
        "sent with `UPDATE outbox SET sent_at = now() WHERE id = $1`.",
        [("read", ["PostgreSQL"]), ("write", ["Postmark"]), ("write", ["PostgreSQL"])],
    ),
    (
        "a system that made the value stored is its maker, not the store's target",
        "We send the SMS through Twilio and store the `MessageSid` Twilio returns; we create "
        "the issue in Jira and save the key that Jira assigns in Postgres.",
        [("write", ["Twilio"]), ("write", ["Jira"]), ("write", ["PostgreSQL"])],
    ),
    (
        "a system that returns what a read fetches is still its source",
        "We fetch the invoices Xero returns and create each in NetSuite.",
        [("read", ["Xero"]), ("write", ["NetSuite"])],
    ),
    (
        "an identifier kept in a sentence that de-duplicates is the dedupe's store, no step",
        "We post a summary in #leads on Slack. The message ts is stored in Redis under the "
        "response token; if it is there, we skip.",
        [("write", ["Slack"])],
    ),
    (
        "a record kept by a write is a write, though duplicates are skipped",
        "We store the order in Postgres; duplicates are skipped by ON CONFLICT DO NOTHING.",
        [("write", ["PostgreSQL"])],
    ),
    (
        "a check against a dedupe table is the dedupe's lookup, no read of what is checked",
        "We create the lead in Close and complete the task in Asana. The Asana completions "
        "are checked against a processed_bookings table keyed on the booking uuid.",
        [("write", ["Close CRM", "Asana"])],
    ),
    (
        "a product word that owns a named store is the product: 'the notion Leads database'",
        "When a Typeform response comes in, we create a page in the notion Leads database.",
        [("read", ["Typeform"]), ("write", ["Notion"])],
    ),
    (
        "a product word before a named API is no store of that product",
        "We create an exception event through the Oracle Transportation Management REST API.",
        [("write", ["Oracle Transportation Management REST API"])],
    ),
    (
        "a generic service named again as the owner of an endpoint is that service",
        "When the payment provider confirms a payout, we poll the provider's /payouts endpoint "
        "and record each payout in fulfilment-api.",
        [
            ("read", ["payment provider"]),
            ("read", ["payment provider"]),
            ("write", ["fulfilment-api"]),
        ],
    ),
]


@pytest.mark.parametrize(("behaviour", "text", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_steps_are_read_by_mechanism(
    analyzer: Analyzer, behaviour: str, text: str, expected: list[tuple[str, list[str]]]
) -> None:
    steps = analyzer.analyze(text).steps
    assert [(s.action, s.services) for s in steps] == expected, behaviour


# (behaviour, text, whether each step is a delivery to us)
INBOUND_ROWS = [
    (
        "an arrow chain that opens with an arrival opens with a delivery to us",
        "Adyen notification (`AUTHORISATION`) arrives -> handler inserts the payment in Postgres.",
        [True, False],
    ),
    (
        "someone else's send to a system that then delivers to us is upstream, no step",
        "LoRaWAN trackers report through The Things Stack, which pushes uplinks to our webhook; "
        "we upsert each position into TimescaleDB.",
        [True, False],
    ),
    (
        "a line keyed 'Trigger:' whose value names a system is a delivery from it",
        "- Trigger: HubSpot Trigger (deal.propertyChange)\n- HTTP Request: POST DocuSign "
        "/envelopes",
        [True, False],
    ),
    (
        "a webhook someone posts to a system that acts in the flow arrives at our service",
        "the carrier posts a `delivery.late` webhook to refunds-svc; refunds-svc refunds the "
        "order through Adyen.",
        [True, False],
    ),
    (
        "a webhook our service posts to each customer's callback URL is a send, no delivery",
        "billing-svc posts an invoice.paid webhook to each customer's callback URL; billing-svc "
        "retries 4 times.",
        [False],
    ),
    (
        "a system that times out sends no event: 'when Xero timed out' is a failure condition",
        "When Xero timed out, the worker created the invoice in Xero again.",
        [False],
    ),
    (
        "a person pressing a button in a system that then sends a webhook is a delivery to us",
        "the producer hits 'ready' in our CMS, which sends a webhook; the worker creates the "
        "episode in Transistor.",
        [True, False],
    ),
    (
        "data taken from a system by its webhook is a delivery to us ('from segment (webhook')",
        "we ingest clickstream from segment (webhook destination) and MERGE each event into "
        "bigquery on message_id.",
        [True, False],
    ),
    (
        "a webhook an external system fires is a delivery to us ('Ramp fires a webhook')",
        "An approval in Ramp fires a webhook; we then create the bill in Sage Intacct.",
        [True, False],
    ),
    (
        "an event sent to our own runtime ('to our Cloud Function') is a delivery to us",
        "Segment sends the event to our Cloud Function through a webhook destination. The "
        "function creates a page in Notion.",
        [True, False],
    ),
    (
        "what a webhook hits is the receiving end: a delivery to us, no write",
        "When a return is approved, Loop's webhook hits returns-svc, which creates the refund "
        "in Shopify.",
        [True, False],
    ),
    (
        "an arrow chain that starts with a webhook starts with a delivery to us",
        "typeform webhook (new survey response) -> create the contact in intercom",
        [True, False],
    ),
    (
        "a trigger word that begins a product's name opens no condition ('When I Work')",
        "first we read the day's shifts from the When I Work api, then we create payroll "
        "entries in Gusto.",
        [False, False],
    ),
    (
        "a system that calls an endpoint of ours delivers to us ('calls our webhook endpoint')",
        "A Zendesk trigger calls our webhook endpoint when a ticket is escalated; we create a "
        "Jira issue.",
        [True, False],
    ),
    (
        "an arrow chain that starts with a system read starts with a read by us",
        "stripe payouts -> create the bill in xero",
        [False, False],
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "text", "inbound"), INBOUND_ROWS, ids=[r[0] for r in INBOUND_ROWS]
)
def test_deliveries_to_us_are_told_from_calls(
    analyzer: Analyzer, behaviour: str, text: str, inbound: list[bool]
) -> None:
    assert [s.inbound for s in analyzer.analyze(text).steps] == inbound, behaviour


@pytest.mark.parametrize(
    ("action", "keyed"), [("upsert", True), ("merge", True), ("create", False)]
)
def test_a_schema_step_whose_action_is_an_upsert_is_idempotent_by_itself(
    analyzer: Analyzer, action: str, keyed: bool
) -> None:
    text = (
        '{"steps": [{"action": "receive", "service": "segment", "kind": "webhook"}, '
        f'{{"action": "{action}", "service": "dynamodb", "table": "sms_log"}}]}}'
    )
    codes = {f.code for f in analyzer.analyze(text).findings}
    assert ("WRITE_WITHOUT_IDEMPOTENCY" not in codes) is keyed
