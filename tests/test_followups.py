"""Issue 9: in a session, a later sentence about a step the design has adds its claims to that
step; only an action on a new service, or an explicit "add a step", adds one; a correction
replaces the step's reading; a failure path described for a step is a claim, not a step."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from workflow_prover.analyzer import Analyzer
from workflow_prover.models import Report

NUMBERED = (
    "Signup sync:\n"
    "1. Read new signups from Postgres.\n"
    "2. Create the contact in HubSpot.\n"
    "3. Post a message to Slack."
)
NIGHTLY = (
    "Every night a job reads usage events from Kafka, reports each customer's usage to Stripe, "
    "and posts a summary to Slack."
)
ORDERS = "We read orders from Shopify and create invoices in Xero."


@dataclass(frozen=True)
class Case:
    first: str
    then: str
    steps: tuple[tuple[str, tuple[str, ...]], ...]  # (action, services) per step, in order


def shape(report: Report) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((s.action, tuple(s.services)) for s in report.steps)


KAFKA_STRIPE_SLACK = (
    ("read", ("Apache Kafka",)),
    ("write", ("Stripe",)),
    ("write", ("Slack",)),
)
PG_HUBSPOT_SLACK = (("read", ("PostgreSQL",)), ("write", ("HubSpot",)), ("write", ("Slack",)))

STEP_COUNT = {
    "a sentence about a step by its service and action adds no step": Case(
        NIGHTLY, "The Slack post goes to an incoming webhook.", KAFKA_STRIPE_SLACK
    ),
    "a sentence about a step by its label adds no step": Case(
        NUMBERED,
        "Step 3 posts to an incoming webhook and records the message id to skip repeats.",
        PG_HUBSPOT_SLACK,
    ),
    "a pronoun's action is the step its sentence is about": Case(
        NUMBERED,
        "The HubSpot create is an upsert keyed on the email. It then writes the contact id back.",
        PG_HUBSPOT_SLACK,
    ),
    "an action on a service the flow lacks adds a step": Case(
        NIGHTLY,
        "We now also write the totals to Snowflake.",
        (*KAFKA_STRIPE_SLACK, ("write", ("Snowflake",))),
    ),
    "deleting rows in a new datastore is a write step, not a store removal": Case(
        ORDERS,
        "We also delete old rows from Snowflake.",
        (("read", ("Shopify",)), ("write", ("Xero",)), ("write", ("Snowflake",))),
    ),
    "an explicit 'add a step' adds one on a known service": Case(
        ORDERS,
        "Add a step that reads the invoice back from Xero to confirm it.",
        (("read", ("Shopify",)), ("write", ("Xero",)), ("read", ("Xero",))),
    ),
    "a correction replaces the numbered step's reading": Case(
        NUMBERED,
        "One correction: step 3 sends an email through SendGrid instead.",
        (("read", ("PostgreSQL",)), ("write", ("HubSpot",)), ("write", ("SendGrid",))),
    ),
    "an action on a known service named with another adds no step": Case(
        ORDERS,
        "The job connects to Xero and the Amazon RDS replica with IAM roles, so no static "
        "password exists.",
        (("read", ("Shopify",)), ("write", ("Xero",))),
    ),
    "a failure path described for a step is no step": Case(
        ORDERS,
        "If the Xero create still fails after retries, we write the order to an S3 bucket of "
        "failed orders.",
        (("read", ("Shopify",)), ("write", ("Xero",))),
    ),
    "a sentence announcing a new step adds it, though an earlier step has its action and "
    "services": Case(
        ORDERS,
        "New last step: after the invoice exists, post a note on it in Xero.",
        (("read", ("Shopify",)), ("write", ("Xero",)), ("write", ("Xero",))),
    ),
    "a removal that names one step by a word of its service takes that step out": Case(
        NIGHTLY.replace("Slack", "Microsoft Teams"),
        "We dropped the Teams summary entirely, nobody read it.",
        KAFKA_STRIPE_SLACK[:2],
    ),
    "a removal of a mechanism on a step keeps the step": Case(
        NIGHTLY,
        "We dropped the retries on the Slack post.",
        KAFKA_STRIPE_SLACK,
    ),
    "a planned removal keeps the step": Case(
        NIGHTLY,
        "We might drop the Slack summary later.",
        KAFKA_STRIPE_SLACK,
    ),
}


@pytest.mark.parametrize("case", STEP_COUNT.values(), ids=STEP_COUNT.keys())
def test_a_follow_up_keeps_the_real_steps(analyzer: Analyzer, case: Case) -> None:
    assert shape(analyzer.analyze_turns([case.first, case.then])) == case.steps


KAFKA_STRIPE_TEAMS = (*KAFKA_STRIPE_SLACK[:2], ("write", ("Microsoft Teams",)))

# (behaviour, the later turn, the steps after it): the first turn is NIGHTLY
SERVICE_CORRECTIONS = [
    (
        "a correction naming the step by its service moves it to the new service",
        "One correction: the Slack post goes to Microsoft Teams instead.",
        KAFKA_STRIPE_TEAMS,
    ),
    (
        "'replaced X with Y' moves the step on X to Y",
        "We replaced Slack with Microsoft Teams for the summary.",
        KAFKA_STRIPE_TEAMS,
    ),
    (
        "'to Y, not X' after a correction word moves the step on X to Y",
        "Correction: the summary is posted to Microsoft Teams, not Slack.",
        KAFKA_STRIPE_TEAMS,
    ),
    (
        "a correction of a numbered step with no action of its own moves that step's service",
        "Correction on step 3: the summary goes to Microsoft Teams, not Slack.",
        KAFKA_STRIPE_TEAMS,
    ),
    (
        "a store named in a correction is where a mechanism lives and moves no step",
        "Actually, the Stripe call's idempotency key is stored in DynamoDB instead.",
        KAFKA_STRIPE_SLACK,
    ),
    (
        "a new service without a correction word is a step of its own",
        "The summary is also posted to Microsoft Teams.",
        (*KAFKA_STRIPE_SLACK, ("write", ("Microsoft Teams",))),
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "then", "steps"), SERVICE_CORRECTIONS, ids=[r[0] for r in SERVICE_CORRECTIONS]
)
def test_a_correction_by_service_moves_that_step(
    analyzer: Analyzer, behaviour: str, then: str, steps: tuple[tuple[str, tuple[str, ...]], ...]
) -> None:
    report = analyzer.analyze_turns([NIGHTLY, then])
    assert shape(report) == steps, behaviour
    named = {name for _, services in steps for name in services}
    assert {s.name for s in report.services} == named, behaviour  # the moved-from service is gone


def test_a_correction_drops_the_replaced_service(analyzer: Analyzer) -> None:
    report = analyzer.analyze_turns(
        [NUMBERED, "One correction: step 3 sends an email through SendGrid instead."]
    )
    assert "Slack" not in {s.name for s in report.services}
    assert report.steps[2].label == 3 and report.steps[2].turn == 2


@dataclass(frozen=True)
class Scoped:
    first: str
    then: str
    kind: str
    step: int  # the step the follow-up's claim must cover (and only that one)


SCOPES = {
    "a claim said of a step by service covers that step only": Scoped(
        NIGHTLY,
        "The Stripe report carries an idempotency key made of the customer id and the date.",
        "idempotency",
        2,
    ),
    "a claim in a sentence about a labelled step covers that step": Scoped(
        NUMBERED,
        "Step 3 posts to an incoming webhook and records the message id to skip repeats.",
        "idempotency",
        3,
    ),
    "a claim after a pronoun covers the step the sentence before was about": Scoped(
        NIGHTLY,
        "The Slack post goes to an incoming webhook. It records the posted summary id in a "
        "table to skip repeats.",
        "idempotency",
        3,
    ),
}


@pytest.mark.parametrize("case", SCOPES.values(), ids=SCOPES.keys())
def test_a_follow_up_claim_covers_the_step_it_is_about(analyzer: Analyzer, case: Scoped) -> None:
    report = analyzer.analyze_turns([case.first, case.then])
    idempotency = {
        f.step for f in report.findings if f.code == "WRITE_WITHOUT_IDEMPOTENCY" and f.step
    }
    writes = {s.index for s in report.steps if s.action == "write"}
    assert case.step not in idempotency
    assert idempotency == writes - {case.step}  # the other writes stay flagged


def test_findings_name_the_step_by_the_texts_own_number(analyzer: Analyzer) -> None:
    text = "Our flow:\n3. Read new signups from Postgres.\n4. Create the contact in HubSpot."
    report = analyzer.analyze(text)
    hubspot = next(f for f in report.findings if f.code == "WRITE_WITHOUT_IDEMPOTENCY")
    assert hubspot.step == 2 and report.steps[1].label == 4
    assert "step 4 (HubSpot)" in hubspot.message


# (behaviour, the first turn, the correction, the step's number, its action and inbound after)
KIND_CORRECTIONS = [
    (
        "'step N is a write' corrects a step read as a read",
        "1. pull orders from shopify\n2. post each to hubspot\n3. read the slack channel",
        "step 3 is a write: we post a summary to slack.",
        3,
        ("write", False),
    ),
    (
        "'step N is an inbound receive' makes the step a delivery to us",
        NUMBERED,
        "Correction: step 1 is an inbound receive, Postgres notifies us.",
        1,
        ("read", True),
    ),
    (
        "'the X step is a read' corrects the step named by its service",
        NIGHTLY,
        "Actually the Slack step is a read: it reads the channel's topic.",
        3,
        ("read", False),
    ),
    (
        "a step number without a step kind changes nothing",
        NUMBERED,
        "Step 3 is important to the sales team.",
        3,
        ("write", False),
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "first", "then", "number", "kind"),
    KIND_CORRECTIONS,
    ids=[r[0] for r in KIND_CORRECTIONS],
)
def test_a_later_turn_says_what_kind_of_step_a_numbered_step_is(
    analyzer: Analyzer,
    behaviour: str,
    first: str,
    then: str,
    number: int,
    kind: tuple[str, bool],
) -> None:
    before = analyzer.analyze_turns([first]).steps
    after = analyzer.analyze_turns([first, then]).steps
    assert len(after) == len(before), behaviour
    step = next(s for s in after if (s.label or s.index) == number)
    assert (step.action, step.inbound) == kind, behaviour


def test_a_write_on_a_service_the_design_only_reads_is_a_new_step(analyzer: Analyzer) -> None:
    first = "We poll the Okta System Log API every 5 minutes for failed sign-in events."
    then = "Then, for users with 10 failures in an hour, we suspend the user in Okta."
    steps = analyzer.analyze_turns([first, then]).steps
    assert [(s.action, s.services) for s in steps] == [("read", ["Okta"]), ("write", ["Okta"])]


FIVE = (
    "stripe sends `invoice.paid` webhook -> we look up the customer's company in hubspot -> "
    "create a deal on that company in hubspot -> post a note to slack -> send a receipt email "
    "thru postmark."
)
FIVE_STEPS = [
    ("read", ("Stripe",)),
    ("read", ("HubSpot",)),
    ("write", ("HubSpot",)),
    ("write", ("Slack",)),
    ("write", ("Postmark",)),
]

# (behaviour, later turns, the services of the steps removed)
REMOVALS = [
    ("'step N isn't a thing' takes step N out", ["ur step 4 isn't a thing."], {"Slack"}),
    (
        "'the X step isn't a step' takes the step on X out",
        ["the slack step isn't a step."],
        {"Slack"},
    ),
    (
        "'remove step N' counts the steps as the user last saw them",
        ["the slack step isn't a step.", "remove step 4."],
        {"Slack", "Postmark"},
    ),
    (
        "'drop it' takes out the step the sentence before named",
        ["the slack step is still in ur list. pls drop it."],
        {"Slack"},
    ),
    (
        "a removal naming another service than step N's takes nothing out",
        ["ur step 4 (read -> stripe) isn't a thing."],
        set(),
    ),
    (
        "'neither exists' after a sentence naming step N checks that sentence's service",
        ["ur list still has step 4 (read -> stripe). neither exists."],
        set(),
    ),
    (
        "removing a mechanism's store is no step removal",
        ["we dropped the Redis dedupe set for the slack post."],
        set(),
    ),
]


@pytest.mark.parametrize(("behaviour", "later", "gone"), REMOVALS, ids=[r[0] for r in REMOVALS])
def test_a_later_turn_takes_out_a_step_it_says_is_none(
    analyzer: Analyzer, behaviour: str, later: list[str], gone: set[str]
) -> None:
    assert [(a, s) for a, s in shape(analyzer.analyze_turns([FIVE]))] == FIVE_STEPS
    report = analyzer.analyze_turns([FIVE, *later])
    expected = [(a, s) for a, s in FIVE_STEPS if not set(s) & gone]
    assert list(shape(report)) == expected, behaviour
    assert [s.index for s in report.steps] == list(range(1, len(expected) + 1))
    assert not gone & {s.name for s in report.services}, behaviour


def test_a_claim_on_a_step_added_by_number_covers_that_step(analyzer: Analyzer) -> None:
    report = analyzer.analyze_turns(
        [
            "Order export: 1) receive orders from a BigCommerce webhook 2) insert each into the "
            "orders table in Aurora.",
            "Adding step 3: post the order to Deliverr with our order id as the external "
            "reference.",
        ]
    )
    assert [s.services for s in report.steps][-1] == ["Deliverr"]
    unkeyed = {f.step for f in report.findings if f.code == "WRITE_WITHOUT_IDEMPOTENCY"}
    assert unkeyed == {2}  # the Aurora insert stays flagged, the Deliverr post is keyed


def test_a_later_turns_own_list_number_is_not_a_new_steps_label(analyzer: Analyzer) -> None:
    report = analyzer.analyze_turns(
        [NUMBERED, "Changes:\n1. We also write each signup to Snowflake."]
    )
    snowflake = report.steps[-1]
    assert snowflake.services == ["Snowflake"] and snowflake.turn == 2
    shown = [s.label or s.index for s in report.steps]
    assert len(set(shown)) == len(shown)  # no two steps shown with the same number


def test_a_phase_number_in_a_later_turn_names_no_earlier_step(analyzer: Analyzer) -> None:
    """'phase 2: ... create a task in HubSpot' adds a write; it is not step 2 corrected."""
    report = analyzer.analyze_turns(
        [
            "phase 1 is read-only: query the pg replica for churned accounts and pull their "
            "usage from mixpanel's export api. nothing is written.",
            "phase 2: for each churned account also create a win-back task in hubspot.",
        ]
    )
    assert shape(report) == (
        ("read", ("PostgreSQL",)),
        ("read", ("Mixpanel",)),
        ("write", ("HubSpot",)),
    )
