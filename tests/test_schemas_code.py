"""Python code as a design: calls are steps; except, retry loops, decorators, Temporal, Airflow."""

from __future__ import annotations

import textwrap

import pytest

from workflow_prover.analyzer import Analyzer
from workflow_prover.extract.services.catalog import ServiceCatalog
from workflow_prover.lexicon.loader import load_lexicons
from workflow_prover.models import Report
from workflow_prover.schemas import ServiceResolver, read_structured


@pytest.fixture(scope="module")
def resolver() -> ServiceResolver:
    lexicons = load_lexicons()
    return ServiceResolver(lexicons, ServiceCatalog(lexicons))


def python(code: str, fenced: bool = False) -> str:
    body = textwrap.dedent(code)
    return f"The job:\n\n```python\n{body}```\n" if fenced else body


def by_step(report: Report) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in report.findings:
        if f.step is not None:
            text = report.steps[f.step - 1].text
            out.setdefault(text, set()).add(f.code)
    return out


LOOP = """\
import logging

def sync(a, b):
    for x in a.list():
        try:
            b.create(x)
        except Exception:
            logging.exception("skip")
            continue
"""


@pytest.mark.parametrize("fenced", [False, True], ids=["whole-file", "fenced-block"])
def test_when_code_lists_writes_and_logs_failures_then_it_reads_writes_and_swallows(
    analyzer: Analyzer, fenced: bool
) -> None:
    report = analyzer.analyze(python(LOOP, fenced))
    assert [(s.text, s.action) for s in report.steps] == [("a.list", "read"), ("b.create", "write")]
    assert "ERRORS_SWALLOWED" in by_step(report)["b.create"]
    assert all(e.pointer for c in report.claims for e in c.evidence)


def test_when_a_text_is_prose_then_it_is_no_code(resolver: ServiceResolver) -> None:
    text = "We import orders from Shopify, then class them by region and send them to the CRM."
    assert read_structured(text, resolver).docs == ()


HANDLERS = [
    pytest.param("raise", {"STEP_WITHOUT_FAILURE_PATH"}, id="reraise-is-try-catch"),
    pytest.param(
        "dlq.send_message(MessageBody=str(order))", set(), id="store-in-a-dlq-is-terminal"
    ),
    pytest.param("failed_orders.insert_one(order)", set(), id="failed-records-table"),
    pytest.param(
        "crm.orders.create(order)",
        {"NON_EXPONENTIAL_RETRY", "STEP_WITHOUT_FAILURE_PATH"},  # and when that fails too?
        id="call-it-again",
    ),
    pytest.param("pass", {"ERRORS_SWALLOWED"}, id="pass-swallows"),
]


@pytest.mark.parametrize(("handler", "expected"), HANDLERS)
def test_when_an_except_handles_a_failure_then_what_it_does_decides_the_finding(
    analyzer: Analyzer, handler: str, expected: set[str]
) -> None:
    text = python(
        f"""\
        import crm

        def push(order):
            try:
                crm.orders.create(order)
            except Exception:
                {handler}
        """
    )
    found = by_step(analyzer.analyze(text)).get("crm.orders.create", set())
    handling = {"STEP_WITHOUT_FAILURE_PATH", "ERRORS_SWALLOWED", "NON_EXPONENTIAL_RETRY"}
    assert found & handling == expected


KEYS = [
    pytest.param("headers={'Idempotency-Key': order.id}", set(), id="stable-header"),
    pytest.param(
        "headers={'Idempotency-Key': str(uuid.uuid4())}",
        {"UNSTABLE_IDEMPOTENCY_KEY"},
        id="uuid-header-is-unstable",
    ),
    pytest.param(
        "params={'requestid': f'{order.id}-{int(time.time())}'}",
        {"UNSTABLE_IDEMPOTENCY_KEY"},
        id="clock-request-id-is-unstable",
    ),
    pytest.param("idempotency_key=order.id", set(), id="stable-keyword"),
    pytest.param("json=order", {"WRITE_WITHOUT_IDEMPOTENCY"}, id="no-key"),
]


@pytest.mark.parametrize(("argument", "expected"), KEYS)
def test_when_a_write_call_sends_a_key_then_how_it_is_built_decides(
    analyzer: Analyzer, argument: str, expected: set[str]
) -> None:
    text = python(
        f"""\
        import time, uuid
        import requests

        def charge(order):
            requests.post("https://api.stripe.com/v1/charges", {argument})
        """
    )
    found = by_step(analyzer.analyze(text))["requests.post"]
    assert found & {"UNSTABLE_IDEMPOTENCY_KEY", "WRITE_WITHOUT_IDEMPOTENCY"} == expected


UPSERTS = [
    pytest.param(
        "netsuite.upsert_sales_order(external_id=row.order_no)", set(), id="upsert-by-name"
    ),
    pytest.param("hubspot.createOrUpdate(email=row.email)", set(), id="create-or-update"),
    pytest.param(
        "netsuite.create_sales_order(payload=row)",
        {"WRITE_WITHOUT_IDEMPOTENCY"},
        id="a-create-is-no-upsert",
    ),
]


@pytest.mark.parametrize(("call", "expected"), UPSERTS)
def test_when_a_write_method_is_named_an_upsert_then_it_is_idempotent(
    analyzer: Analyzer, call: str, expected: set[str]
) -> None:
    text = python(
        f"""        def sync(rows):
            for row in rows:
                {call}
        """
    )
    found = by_step(analyzer.analyze(text))[call.split("(")[0]]
    assert found & {"WRITE_WITHOUT_IDEMPOTENCY"} == expected


DECORATORS = [
    pytest.param(
        "@retry(wait=wait_exponential(multiplier=1, max=60), stop=stop_after_attempt(5))",
        set(),
        id="tenacity-exponential",
    ),
    pytest.param(
        "@backoff.on_exception(backoff.expo, Exception, max_tries=5)", set(), id="backoff-expo"
    ),
    pytest.param(
        "@retry(wait=wait_fixed(2), stop=stop_after_attempt(3))",
        {"NON_EXPONENTIAL_RETRY"},
        id="tenacity-fixed",
    ),
    pytest.param("@retry", {"NON_EXPONENTIAL_RETRY"}, id="bare-retry-is-immediate"),
]


@pytest.mark.parametrize(("decorator", "expected"), DECORATORS)
def test_when_a_retry_decorator_wraps_a_call_then_it_is_that_calls_retry_policy(
    analyzer: Analyzer, decorator: str, expected: set[str]
) -> None:
    text = python(
        f"""\
        import requests
        from tenacity import retry, stop_after_attempt, wait_exponential, wait_fixed

        {decorator}
        def charge(order):
            requests.post("https://api.stripe.com/v1/charges", data=order)
        """
    )
    found = by_step(analyzer.analyze(text))["requests.post"]
    pacing = {"NON_EXPONENTIAL_RETRY", "NO_RATE_LIMIT_HANDLING", "UNBOUNDED_RETRIES"}
    assert found & pacing == expected


LOOPS = [
    pytest.param("time.sleep(2 ** attempt)", set(), id="doubling"),
    pytest.param("time.sleep(delay)\n" + " " * 20 + "delay *= 2", set(), id="delay-doubled"),
    pytest.param("time.sleep(5)", {"NON_EXPONENTIAL_RETRY"}, id="fixed-interval"),
    pytest.param("pass", {"NON_EXPONENTIAL_RETRY"}, id="no-wait"),
]


@pytest.mark.parametrize(("pause", "expected"), LOOPS)
def test_when_a_loop_retries_a_call_then_its_sleep_decides_the_backoff(
    analyzer: Analyzer, pause: str, expected: set[str]
) -> None:
    text = python(
        f"""\
        import time
        import requests

        def send(body):
            delay = 1
            for attempt in range(5):
                try:
                    requests.post("https://hooks.slack.com/services/T0/B0", json=body)
                    break
                except requests.RequestException:
                    {pause}
            else:
                raise RuntimeError("gave up")
        """
    )
    found = by_step(analyzer.analyze(text))["requests.post"]
    assert found & {"NON_EXPONENTIAL_RETRY", "NO_RATE_LIMIT_HANDLING"} == expected


TEMPORAL = """\
from datetime import timedelta
from temporalio import activity, workflow
from temporalio.common import RetryPolicy
import requests

@activity.defn
def report_usage(usage):
    requests.post("https://api.stripe.com/v1/usage_records", data=usage)

@activity.defn
def notify(message):
    requests.post("https://hooks.slack.com/services/T0/B0", json=message)

@workflow.defn
class Billing:
    @workflow.run
    async def run(self, usage):
        await workflow.execute_activity(
            report_usage, usage,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(backoff_coefficient=1.0, maximum_attempts=5),
        )
        await workflow.execute_activity(notify, "done", start_to_close_timeout=timedelta(seconds=5))
"""


def test_when_temporal_attaches_a_retry_policy_then_it_covers_that_activity_only(
    analyzer: Analyzer,
) -> None:
    report = analyzer.analyze(TEMPORAL)
    stripe, slack = (report.steps[0].index, report.steps[1].index)
    codes = {(f.code, f.step) for f in report.findings}
    assert ("NON_EXPONENTIAL_RETRY", stripe) in codes  # backoff_coefficient=1.0: fixed
    assert ("UNBOUNDED_RETRIES", slack) in codes  # Temporal's default policy: no maximum
    assert ("NON_EXPONENTIAL_RETRY", slack) not in codes  # the default backs off
    assert not {c for c, s in codes if c == "NO_TIMEOUT"}


AIRFLOW = """\
from datetime import timedelta
from airflow import DAG
from airflow.providers.http.operators.http import SimpleHttpOperator

default_args = {
    "retries": 3,
    "retry_delay": timedelta(minutes=5),
    %s
}

dag = DAG("sync", default_args=default_args)

push = SimpleHttpOperator(task_id="push", http_conn_id="crm", endpoint="contacts", dag=dag)
"""


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("", {"NON_EXPONENTIAL_RETRY"}),
        ('"retry_exponential_backoff": True,', set()),
    ],
    ids=["fixed-delay", "exponential-backoff"],
)
def test_when_airflow_default_args_retry_then_they_cover_every_task(
    analyzer: Analyzer, extra: str, expected: set[str]
) -> None:
    report = analyzer.analyze(AIRFLOW % extra)
    assert [(s.text, s.action) for s in report.steps] == [("push", "write")]
    found = by_step(report)["push"]
    assert found & {"NON_EXPONENTIAL_RETRY", "NO_RATE_LIMIT_HANDLING"} == expected
    assert "NO_VAULT_REFERENCE" in {f.code for f in report.findings}  # an Airflow connection


def test_when_a_task_decorator_sets_retries_by_keyword_then_they_cover_its_calls(
    analyzer: Analyzer,
) -> None:
    text = python(
        """\
        from prefect import flow, task
        from prefect.tasks import exponential_backoff
        import twilio

        @task(retries=5, retry_delay_seconds=exponential_backoff(backoff_factor=3))
        def send_sms(r):
            twilio.messages.create(to=r.phone, body=r.text)

        @flow
        def reminders(rows):
            for r in rows:
                send_sms.submit(r)
        """
    )
    report = analyzer.analyze(text)
    assert [s.text for s in report.steps] == ["twilio.messages.create"]  # not send_sms.submit
    assert not by_step(report)["twilio.messages.create"] & {
        "NO_RATE_LIMIT_HANDLING",
        "NON_EXPONENTIAL_RETRY",
    }


def test_when_a_retry_loop_is_followed_by_a_failed_store_then_that_is_its_terminal_path(
    analyzer: Analyzer,
) -> None:
    text = python(
        """\
        import time
        import requests

        def deliver(url, evt):
            for attempt in range(5):
                try:
                    r = requests.post(url, json=evt, timeout=10)
                    r.raise_for_status()
                    return
                except requests.RequestException:
                    time.sleep(2 ** attempt)
            failed_deliveries.insert(evt)
        """
    )
    report = analyzer.analyze(text)
    assert [s.text for s in report.steps] == ["requests.post"]  # the store is no step
    found = by_step(report)["requests.post"]
    assert not found & {"STEP_WITHOUT_FAILURE_PATH", "ERRORS_SWALLOWED"}


@pytest.mark.parametrize(
    ("after", "swallowed"),
    [
        pytest.param("    raise GiveUp(evt)\n", False, id="raise-after-the-attempts"),
        pytest.param("    return None\n", True, id="return-after-the-attempts"),
    ],
)
def test_when_a_retry_loop_ends_then_what_follows_it_decides_whether_it_gives_up_silently(
    analyzer: Analyzer, after: str, swallowed: bool
) -> None:
    text = (
        python(
            """\
        import time
        import requests

        def deliver(url, evt):
            for attempt in range(5):
                try:
                    return requests.post(url, json=evt, timeout=10)
                except requests.RequestException:
                    time.sleep(attempt)
        """
        )
        + after
    )
    found = by_step(analyzer.analyze(text))["requests.post"]
    assert ("ERRORS_SWALLOWED" in found) is swallowed


DAG_WITHOUT_IMPORTS = """\
with DAG("contacts_to_warehouse", schedule="@hourly"):
    extract = PythonOperator(task_id="extract", python_callable=pull_hubspot_contacts)
    load = SnowflakeOperator(task_id="load", sql="%s")
    extract >> load
"""


@pytest.mark.parametrize(
    ("sql", "keyed"),
    [
        pytest.param(
            "MERGE INTO raw.contacts t USING stage s ON t.id = s.id WHEN MATCHED THEN UPDATE",
            True,
            id="merge-is-idempotent",
        ),
        pytest.param("INSERT INTO raw.contacts SELECT * FROM stage", False, id="insert-is-not"),
    ],
)
def test_when_a_dag_file_has_no_imports_then_its_tasks_are_still_steps(
    analyzer: Analyzer, sql: str, keyed: bool
) -> None:
    report = analyzer.analyze(DAG_WITHOUT_IMPORTS % sql)
    steps = [(s.text, s.action, s.services) for s in report.steps]
    assert steps == [("extract", "read", ["HubSpot"]), ("load", "write", ["Snowflake"])]
    assert ("WRITE_WITHOUT_IDEMPOTENCY" in by_step(report).get("load", set())) is not keyed


@pytest.mark.parametrize(
    ("callable_", "step"),
    [
        pytest.param("stripe.list_charges", ("read", ["Stripe"]), id="a-read-method"),
        pytest.param("hubspot.upsert_contacts", ("write", ["HubSpot"]), id="a-write-method"),
    ],
)
def test_when_a_task_calls_a_method_of_a_named_client_then_the_client_names_its_service(
    analyzer: Analyzer, callable_: str, step: tuple[str, list[str]]
) -> None:
    dag = (
        'with DAG("sync", schedule="@hourly"):\n'
        f'    task = PythonOperator(task_id="task", python_callable={callable_})\n'
    )
    assert [(s.action, s.services) for s in analyzer.analyze(dag).steps] == [step]


@pytest.mark.parametrize(
    ("call", "service"),
    [
        ("requests.post(FRESHDESK_URL, json=payload, timeout=10)", "Freshdesk"),
        ("session.post(settings.INTERCOM_API_URL, json=body)", "Intercom"),
        ("requests.post(url, json=payload)", "HTTP endpoint"),  # a name that says nothing
    ],
)
def test_when_an_http_call_takes_a_constant_named_for_its_endpoint_then_that_names_the_service(
    analyzer: Analyzer, call: str, service: str
) -> None:
    code = f"import requests\n\ndef push(payload, body, url):\n    {call}\n"
    assert [s.services for s in analyzer.analyze(code).steps] == [[service]]


HANDLER = """\
def handle(msg):
    stripe.Refund.create(amount=msg["amount"], idempotency_key=msg["refund_id"])
    db.execute("INSERT INTO refunds_done (refund_id) VALUES (%s) ON CONFLICT DO NOTHING")
"""


def test_when_prose_names_the_product_of_a_code_receiver_then_its_credential_covers_it(
    analyzer: Analyzer,
) -> None:
    """`db.execute(...)` and 'the worker uses RDS IAM auth': the one database the code
    calls is the RDS the prose names."""
    text = python(HANDLER, fenced=True) + (
        "The worker uses RDS IAM auth; the Stripe key is in Secrets Manager, rotated monthly."
    )
    codes = [f.code for f in analyzer.analyze(text).findings]
    assert "NO_VAULT_REFERENCE" not in codes


def test_when_a_queue_moves_failed_messages_to_a_dlq_then_every_step_has_a_terminal_path(
    analyzer: Analyzer,
) -> None:
    """'A message that still fails is left for SQS to move to `refunds-dlq`': SQS is where
    the DLQ lives, not what the statement is for."""
    text = python(HANDLER, fenced=True) + (
        "Each call retries with exponential backoff. A message that still fails is left for "
        "SQS to move to `refunds-dlq` after 5 receives."
    )
    codes = [f.code for f in analyzer.analyze(text).findings]
    assert codes and "STEP_WITHOUT_FAILURE_PATH" not in codes


def test_when_a_receiver_is_named_by_its_role_then_the_comment_on_its_line_names_the_product(
    analyzer: Analyzer,
) -> None:
    """`helpdesk.create_ticket(...)   # Gorgias`: the step is on Gorgias, so what the prose
    says of the Gorgias client covers it."""
    code = """\
def on_event(evt):
    helpdesk.create_ticket(external_id=evt.id)   # Gorgias
"""
    text = python(code, fenced=True) + "The Gorgias client uses exponential backoff with jitter."
    report = analyzer.analyze(text)
    assert [s.services for s in report.steps] == [["Gorgias"]]
    assert "NO_RATE_LIMIT_HANDLING" not in {f.code for f in report.findings}
