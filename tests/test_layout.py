"""The layout stages on their own: blocks (what each line is), clauses (where a statement
ends) and the clause frame (each service's role). One behaviour per row."""

from __future__ import annotations

import pytest

from workflow_prover.analyzer import Analyzer
from workflow_prover.extract.layout.blocks import read_blocks

# (behaviour, text, per line: (kind, section role))
BLOCKS = [
    (
        "a markdown heading is no statement and opens a design section",
        "## Flow\nPull invoices from Chargebee.",
        [("heading", "design"), ("text", "design")],
    ),
    (
        "a line underlined with === is a heading",
        "Flow\n====\nPull invoices.",
        [("heading", "design"), ("heading", "design"), ("text", "design")],
    ),
    (
        "a whole line in bold is a heading",
        "**Resilience**\nWe retry.",
        [("heading", "design"), ("text", "design")],
    ),
    (
        "a # line that reads like a sentence is a comment, not a heading",
        "# we retry, then fail.\nPull invoices.",
        [("text", "design"), ("text", "design")],
    ),
    (
        "a heading of two or more hashes with a pronoun is still a heading ('### What it does')",
        "### Why\nWe need to know.\n### What it does\nPull invoices.",
        [
            ("heading", "background"),
            ("text", "background"),
            ("heading", "design"),
            ("text", "design"),
        ],
    ),
    (
        "a short first line before a blank line is a title",
        "HubSpot to Salesforce sync\n\nWe pull contacts from HubSpot.",
        [("heading", "design"), ("text", "design"), ("text", "design")],
    ),
    (
        "a short first line with no blank line after it is prose",
        "HubSpot to Salesforce sync\nWe pull contacts from HubSpot.",
        [("text", "design"), ("text", "design")],
    ),
    (
        "a first line opening with a document's numbered id is its title ('PR #77: ...')",
        "PR #77: add Twilio Verify to signup-svc\nWhen a user signs up, we insert a row.",
        [("heading", "design"), ("text", "design")],
    ),
    (
        "a first line opening with a document's kind and a colon is its title ('PR: ...')",
        "PR: add Intercom + Segment fan-out to the signup service\nWhen a user signs up, we "
        "create the Intercom contact.",
        [("heading", "design"), ("text", "design")],
    ),
    (
        "a first line labelled with a document's kind that ends as a sentence is prose",
        "Bug: when a refund fails we open a Jira issue.\nWe post the summary to Slack.",
        [("text", "design"), ("text", "design")],
    ),
    (
        "a first line that only starts with a word and a number is prose ('Step 1: ...')",
        "Step 1: add the contact to HubSpot\nStep 2: post to Slack.",
        [("text", "design"), ("text", "design")],
    ),
    (
        "metadata lines are no statements",
        "Status: accepted\nOwner: @ana\nWe pull contacts.",
        [("meta", "design"), ("meta", "design"), ("text", "design")],
    ),
    (
        "a table has a header, a separator and rows",
        "| step | system |\n|---|---|\n| pull | HubSpot |",
        [("table_header", "design"), ("table_sep", "design"), ("table_row", "design")],
    ),
    (
        "a Context heading makes its section background, up to the next heading",
        "## Context\nToday we export by hand.\n## Flow\nPull invoices.",
        [
            ("heading", "background"),
            ("text", "background"),
            ("heading", "design"),
            ("text", "design"),
        ],
    ),
    (
        "an alternatives heading takes its section out of the design",
        "## Alternatives considered\nRetry every 30 s.",
        [("heading", "alternatives"), ("text", "alternatives")],
    ),
    (
        "a paragraph labelled with a section word is a section of its own",
        "Motivation: the holiday incident.\nFlow: pull invoices from Chargebee.",
        [("text", "background"), ("text", "design")],
    ),
    (
        "a fenced block is code, fences included",
        "```\nretry: 3\n```\nWe pull.",
        [("code", "design"), ("code", "design"), ("code", "design"), ("text", "design")],
    ),
]


@pytest.mark.parametrize(
    ("text", "lines"), [pytest.param(t, lines, id=b) for b, t, lines in BLOCKS]
)
def test_each_line_is_read_as_its_kind_in_its_section(
    analyzer: Analyzer, text: str, lines: list[tuple[str, str]]
) -> None:
    blocks = read_blocks(text, analyzer.sections)
    assert list(zip(blocks.kinds, blocks.roles, strict=True)) == lines


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("Previous design", "history"),  # the longer phrase wins over "design" inside it
        ("Design: other options", "alternatives"),  # wherever it stands in the heading
        ("The proposed solution", "design"),
        ("What it doesn't do", "out_of_scope"),
        ("## Open questions (v2)", "questions"),
        ("Shopping list", None),  # no section word: the heading gives no role
        ("", None),
    ],
)
def test_a_heading_gives_its_section_the_role_of_its_longest_section_phrase(
    analyzer: Analyzer, heading: str, role: str | None
) -> None:
    assert analyzer.sections.role_of(heading) == role


# (behaviour, text, the clauses' texts)
CLAUSES = [
    (
        "a plural call word that opens the clause keeps the list of services after it",
        "Create a project in Bluebeam Studio. Outbound calls to Accela, Bluebeam and ACS go "
        "through a shared limiter.",
        [
            "Create a project in Bluebeam Studio.",
            "Outbound calls to Accela, Bluebeam and ACS go through a shared limiter.",
        ],
    ),
    (
        "'and' before a new verb splits two actions",
        "Pull invoices from Chargebee and create them in Xero.",
        ["Pull invoices from Chargebee", "and create them in Xero."],
    ),
    (
        "each numbered item is its own clause",
        "1. Pull invoices from Chargebee.\n2. Create them in Xero.",
        ["1. Pull invoices from Chargebee.", "2. Create them in Xero."],
    ),
    (
        "an arrow ends a segment of its chain",
        "Stripe -> CRM -> Slack",
        ["Stripe ->", "CRM ->", "Slack"],
    ),
    (
        "a semicolon ends a clause",
        "We dedupe on the ID; the Twilio token comes from Vault.",
        ["We dedupe on the ID;", "the Twilio token comes from Vault."],
    ),
    (
        "', and' before a new subject and verb ends a clause",
        "We dedupe on the ID, and the Twilio token comes from Vault.",
        ["We dedupe on the ID,", "and the Twilio token comes from Vault."],
    ),
    (
        "'and' inside a list of subjects splits nothing",
        "The Flexport and Coupa tokens are in Vault.",
        ["The Flexport and Coupa tokens are in Vault."],
    ),
    (
        "a semicolon inside inline code ends nothing",
        "We POST with `Idempotency-Key: a; b` to Stripe.",
        ["We POST with `Idempotency-Key: a; b` to Stripe."],
    ),
    (
        "a semicolon inside brackets ends nothing",
        "We create the order (retries; failures go to wo-dlq) in Shopify.",
        ["We create the order (retries; failures go to wo-dlq) in Shopify."],
    ),
    (
        "a leading 'when' clause is a trigger of its own",
        "When an order arrives from Shopify, we create it in Xero.",
        ["When an order arrives from Shopify,", "we create it in Xero."],
    ),
    (
        "a colon after a statement opens its elaboration",
        "Failures go to a DLQ: we replay them nightly from the queue.",
        ["Failures go to a DLQ:", "we replay them nightly from the queue."],
    ),
    (
        "a verb word after a determiner is a noun: 'every write and every X call' is one subject",
        "Every write and every Quillpay call is keyed on the order ID.",
        ["Every write and every Quillpay call is keyed on the order ID."],
    ),
    (
        "a negation before a noun governs no list of verbs after it",
        "We select orders without a label from Postgres, request a label from Shippo, and "
        "upsert it into Postgres.",
        [
            "We select orders without a label from Postgres,",
            "request a label from Shippo,",
            "and upsert it into Postgres.",
        ],
    ),
    (
        "'but' after a quantifier means except and splits nothing",
        "All APIs but Mailgun retry.",
        ["All APIs but Mailgun retry."],
    ),
    (
        "a verbless 'no X' before a comma is a statement of its own",
        "no retry logic anywhere, the dlq is the only net.",
        ["no retry logic anywhere,", "the dlq is the only net."],
    ),
    (
        "a verb's -ing form before a noun modifies it: two subjects stay one clause",
        "Callback signing secrets and the billing-svc token are read from Vault.",
        ["Callback signing secrets and the billing-svc token are read from Vault."],
    ),
    (
        "a possessive 's is no verb: a list of services after it is one subject",
        "The worker's keys for Braintree, ledger-api, Customer.io and SQS come from Vault.",
        ["The worker's keys for Braintree, ledger-api, Customer.io and SQS come from Vault."],
    ),
    (
        "an ellipsis that elides part of a phrase ends no sentence",
        "Then [INSERT into Postgres leads ... ON CONFLICT (lead_id) DO UPDATE].",
        ["Then [INSERT into Postgres leads ... ON CONFLICT (lead_id) DO UPDATE]."],
    ),
    (
        "an ellipsis before a new capitalised sentence ends it",
        "We post the order to Xero... Then we tag it.",
        ["We post the order to Xero...", "Then we tag it."],
    ),
    (
        "a service's name that opens with a determiner word ('OneSignal') opens no clause",
        "Calls to billing-svc and OneSignal use exponential backoff with jitter.",
        ["Calls to billing-svc and OneSignal use exponential backoff with jitter."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, c, id=b) for b, t, c in CLAUSES])
def test_a_text_splits_into_the_clauses_a_reader_sees(
    analyzer: Analyzer, text: str, expected: list[str]
) -> None:
    view = analyzer.turn(text).view
    assert [view.text(c.start, c.end) for c in view.lay.clauses] == expected


def test_clauses_know_their_item_chain_and_trigger(analyzer: Analyzer) -> None:
    items = analyzer.turn("1. Pull invoices from Chargebee.\n2. Create them in Xero.").view
    assert [c.item for c in items.lay.clauses] == [0, 1]
    chain = analyzer.turn("Stripe -> CRM -> Slack").view
    assert [(c.chain, c.segment) for c in chain.lay.clauses] == [(0, 0), (0, 1), (0, 2)]
    trigger = analyzer.turn("When an order arrives from Shopify, we create it in Xero.").view
    assert [c.trigger for c in trigger.lay.clauses] == [True, False]
    colon = analyzer.turn("Failures go to a DLQ: we replay them nightly from the queue.").view
    assert [c.after_colon for c in colon.lay.clauses] == [None, 0]


# (behaviour, text, the roles (service, role, the word that decided) of its first clause)
FRAMES = [
    (
        "'into' makes a target",
        "Insert the row into our Postgres table.",
        [("PostgreSQL", "target", "into")],
    ),
    ("'via' makes a channel", "Text them via Twilio.", [("Twilio", "channel", "via")]),
    (
        "'with' makes a channel",
        "Send the receipt with Postmark.",
        [("Postmark", "channel", "with")],
    ),
    ("'from' makes a source", "Pull invoices from Chargebee.", [("Chargebee", "source", "from")]),
    (
        "a service before the first verb is its subject",
        "HubSpot pushes contacts to Salesforce.",
        [("HubSpot", "subject", ""), ("Salesforce", "target", "to")],
    ),
    (
        "a service right after the verb is its object",
        "Fetch Stripe payments.",
        [("Stripe", "object", "")],
    ),
    (
        "a service in the trigger adverbial is the trigger",
        "On a Paddle webhook we create the customer in Pipedrive.",
        [("Paddle", "trigger", ""), ("Pipedrive", "target", "in")],
    ),
    (
        "a service alone in brackets is a bracket",
        "Charge the card (Stripe).",
        [("Stripe", "bracket", "")],
    ),
    (
        "a bracket naming what the system is takes the role of the system",
        "Write the row to the ledger (a Postgres table).",
        [("PostgreSQL", "target", "to"), ("PostgreSQL", "target", "to")],
    ),
]


@pytest.mark.parametrize(("text", "roles"), [pytest.param(t, r, id=b) for b, t, r in FRAMES])
def test_each_service_has_the_role_its_words_give_it(
    analyzer: Analyzer, text: str, roles: list[tuple[str, str, str]]
) -> None:
    frame = analyzer.turn(text).view.frame(0)
    assert [(r.mention.info.name, r.role, r.word) for r in frame.roles] == roles


# (behaviour, text, the first clause's action verbs)
ACTIONS = [
    (
        "a phrasal verb at its clause's end is its action, no plural noun",
        "conversion-svc looks up or creates the contact in Salesforce.",
        ["looks up"],
    ),
    (
        "a lone third-person word at its phrase's end is a plural noun",
        "Once a minute the temperature registers.",
        [],
    ),
]


@pytest.mark.parametrize(("text", "verbs"), [pytest.param(t, v, id=b) for b, t, v in ACTIONS])
def test_a_clause_acts_by_its_verbs_not_by_nouns_spelt_like_verbs(
    analyzer: Analyzer, text: str, verbs: list[str]
) -> None:
    view = analyzer.turn(text).view
    actions = view.frame(0).actions
    assert [text[view.toks[a.start].start : view.toks[a.end - 1].end] for a in actions] == verbs


# (behaviour, text, the frame's adverbial (kind, rule) and its via ids)
ADVERBIALS = [
    (
        "'on a ... webhook' is a trigger",
        "On a Paddle webhook we create the customer in Pipedrive.",
        ("trigger", "frame.adverbial.on_event"),
    ),
    (
        "'every night' is a schedule",
        "Every night pull invoices from Chargebee.",
        ("schedule", "frame.adverbial.schedule"),
    ),
    ("a plain action has no adverbial", "Pull invoices from Chargebee.", None),
]


@pytest.mark.parametrize(
    ("text", "adverbial"), [pytest.param(t, a, id=b) for b, t, a in ADVERBIALS]
)
def test_a_leading_trigger_or_schedule_is_the_clause_adverbial(
    analyzer: Analyzer, text: str, adverbial: tuple[str, str] | None
) -> None:
    frame = analyzer.turn(text).view.frame(0)
    found = None if frame.adverbial is None else (frame.adverbial.kind, frame.adverbial.rule)
    assert found == adverbial
    assert (adverbial is None) == (not frame.via)
