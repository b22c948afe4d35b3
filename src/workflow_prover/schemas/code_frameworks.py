"""Temporal and Airflow in Python code: retry policies scoped to the activity or task they are
attached to (see `schemas.code`).

- Temporal: `workflow.execute_activity(report_usage, ..., retry_policy=RetryPolicy(...))` covers
  the calls inside `report_usage` (and the functions it calls). `backoff_coefficient` above 1
  (Temporal's default is 2.0) is exponential, 1.0 a fixed interval; `maximum_attempts` bounds
  the retries, and its default, 0, means unlimited. Without a `retry_policy` the default
  applies: exponential and unbounded. `start_to_close_timeout` and the other timeouts are
  timeouts.
- Airflow: an operator with a `task_id` is a step (an HTTP operator on its connection, the
  others on the service their name says; `method`, `sql` or the name's verb says read or
  write); `default_args` cover every task (`retries`, `retry_delay`,
  `retry_exponential_backoff`, `email_on_failure`, `on_failure_callback`, read by key name),
  an operator's own arguments its task.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from workflow_prover.extract.services.catalog import ServiceInfo
from workflow_prover.models import ActionKind, ClaimKind
from workflow_prover.schemas import common
from workflow_prover.schemas.code_calls import WRITE_VERBS, chain
from workflow_prover.schemas.keys import KeyReader
from workflow_prover.schemas.model import SchemaStep

if TYPE_CHECKING:
    from workflow_prover.schemas.code_calls import CodeReader

K = ClaimKind
_ACTIVITY_CALLS = frozenset(("execute_activity", "start_activity", "execute_activity_method"))
_TIMEOUTS = frozenset(
    ("start_to_close_timeout", "schedule_to_close_timeout", "schedule_to_start_timeout")
)
_HTTP_OPERATORS = frozenset(("SimpleHttpOperator", "HttpOperator", "HttpSensor", "HttpSensorAsync"))
_NOT_SERVICES = frozenset(("python", "branch", "bash", "dummy", "empty", "short", "circuit"))
_UPSERT_SQL = re.compile(r"\bmerge\s+into\b|\bon\s+conflict\b|\binsert\s+ignore\b|\bupsert\b", re.I)


class Frameworks:
    def __init__(self, reader: CodeReader) -> None:
        self.r = reader
        self.c = reader.c
        self.keys = KeyReader(reader.c, reader.resolver.vocabulary, "schema.code.keys")

    def read(self, tree: ast.Module) -> None:
        defaults: dict[str, ast.Dict] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        defaults[target.id] = node.value
        tasks: list[str] = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            names = chain(node.func)
            if names and names[-1] in _ACTIVITY_CALLS:
                self.activity(node)
            elif names and names[-1].endswith(("Operator", "Sensor", "SensorAsync")):
                task = self.operator(node, names[-1])
                tasks += [task] if task else []
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and chain(node.func)[-1:] == ["DAG"]:
                self.dag_defaults(node, defaults, tasks)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.decorator_options(node)

    def decorator_options(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """`@task(retries=5, retry_delay_seconds=exponential_backoff(...), on_failure=[...])`
        (Prefect, Celery, Dagster...): keyword arguments read by key name, on its steps."""
        steps = self.r.steps_in.get(function.name) or []
        for decorator in function.decorator_list:
            if not steps or not isinstance(decorator, ast.Call) or not decorator.keywords:
                continue
            self.r.count += 1
            at = self.r.at(f"/{function.name}/options/{self.r.count}", decorator)
            options = {k.arg: k.value for k in decorator.keywords if k.arg}
            self.mapping(options, at, tuple(steps))

    # ---- Temporal -----------------------------------------------------------------------

    def activity(self, call: ast.Call) -> None:
        target = chain(call.args[0]) if call.args else []
        steps = self.activity_steps(target[-1]) if target else []
        if not steps:
            return
        scope = tuple(steps)
        self.r.count += 1
        at = self.r.at(f"/activities/{target[-1]}/{self.r.count}", call)
        options = {k.arg: k.value for k in call.keywords if k.arg}
        for name in _TIMEOUTS & set(options):
            where = self.r.at(f"{at}/{name}", options[name])
            self.c.claim(K.TIMEOUT, where, "schema.code.temporal.timeout", scope)
        policy = options.get("retry_policy")
        if isinstance(policy, ast.Call):
            at = self.r.at(f"{at}/retry_policy", policy)
            fields = {k.arg: k.value for k in policy.keywords if k.arg}
        else:
            fields = {}
        rule = "schema.code.temporal.retry_policy" if policy else "schema.code.temporal.default"
        self.c.claim(K.RETRY, at, rule, scope, group=at)
        coefficient = _number(fields.get("backoff_coefficient"), 2.0)
        kind = K.BACKOFF_EXPONENTIAL if coefficient > 1 else K.RETRY_FIXED
        self.c.claim(kind, at, f"{rule}.coefficient", scope, group=at, value=coefficient)
        attempts = _number(fields.get("maximum_attempts"), 0.0)
        if attempts > 0:
            self.c.claim(K.MAX_ATTEMPTS, at, f"{rule}.attempts", scope, group=at, value=attempts)
        else:
            self.c.claim(K.UNBOUNDED, at, f"{rule}.unlimited", scope, group=at)

    def activity_steps(self, name: str) -> list[str]:
        """The steps inside an activity, and inside the functions it calls (one level)."""
        steps = list(self.r.steps_in.get(name, []))
        function = self.r.functions.get(name)
        for node in ast.walk(function) if function else ():
            if isinstance(node, ast.Call):
                callee = chain(node.func)[-1:]
                if callee and callee[0] != name:
                    steps += self.r.steps_in.get(callee[0], [])
        return list(dict.fromkeys(steps))

    # ---- Airflow ------------------------------------------------------------------------

    def operator(self, call: ast.Call, kind: str) -> str | None:
        options = {k.arg: k.value for k in call.keywords if k.arg}
        task_id = _text(options.get("task_id"))
        if task_id is None:
            return None
        found = self.service(kind, options)
        if found is None:
            return None
        info, action = found
        ident = self.r.at(f"/tasks/{task_id}", call)
        title = self.r.at(f"/tasks/{task_id}/task_id", options["task_id"])
        rule = "step.code.airflow"
        self.c.steps.append(
            SchemaStep(ident, action, (info,), self.c.span(ident), self.c.span(title), rule)
        )
        own = {k: v for k, v in options.items() if k not in ("task_id", "dag")}
        self.mapping(own, ident, (ident,))
        sql = _text(options.get("sql")) or ""
        if _UPSERT_SQL.search(sql):  # "MERGE INTO ... WHEN MATCHED", "ON CONFLICT ... DO"
            at = self.r.at(f"{ident}/sql", options["sql"])
            self.c.claim(K.IDEMPOTENCY, at, "schema.code.airflow.sql_upsert", (ident,))
        method = (_text(options.get("method")) or "").upper()
        if kind in _HTTP_OPERATORS and method in ("PUT", "PATCH"):
            at = self.r.at(f"{ident}/method", options["method"])
            self.c.claim(K.IDEMPOTENCY, at, "schema.code.airflow.http_put", (ident,))
        return ident

    def service(
        self, kind: str, options: dict[str, ast.expr]
    ) -> tuple[ServiceInfo, ActionKind] | None:
        rule = "schema.code.airflow.operator"
        if kind in _HTTP_OPERATORS:
            connection = _text(options.get("http_conn_id")) or "http_default"
            info = self.r.resolver.generic(f"HTTP connection {connection}", rule)
            method = (
                _text(options.get("method")) or ("GET" if "Sensor" in kind else "POST")
            ).upper()
            return info, "read" if method in ("GET", "HEAD", "OPTIONS") else "write"
        words = common.words(
            kind.removesuffix("Async").removesuffix("Operator").removesuffix("Sensor")
        )
        if words[:1] == ["python"]:
            return self.callable_service(options)
        if not words or words[0] in _NOT_SERVICES:
            return None
        info = self.r.resolver.mentioned(" ".join(words), rule) or self.r.resolver.unnamed(
            words[0], rule
        )
        sql = _text(options.get("sql"))
        if sql is not None:
            return info, "read" if sql.lstrip().lower().startswith(("select", "with")) else "write"
        reads = "Sensor" in kind or any(w in common.READ_VERBS for w in words[1:])
        return info, "read" if reads else "write"

    def callable_service(
        self, options: dict[str, ast.expr]
    ) -> tuple[ServiceInfo, ActionKind] | None:
        """`PythonOperator(python_callable=pull_hubspot_contacts)` whose function the text
        does not hold: its name's verb and service ('pull', HubSpot) say the step."""
        target = options.get("python_callable")
        if isinstance(target, ast.Attribute):
            return self.method_service(target)  # `python_callable=gong.list_calls`
        name = target.id if isinstance(target, ast.Name) else None
        if name is None or name in self.r.functions:
            return None  # a function of the text: its own calls are the steps
        words = common.words(name)
        action = _callable_action(words)
        if len(words) < 2 or action is None:
            return None
        rule = "schema.code.airflow.callable"
        info = None
        for n in range(len(words) - 1, 1, -1):  # "hubspot contacts", then "hubspot"
            info = info or self.r.resolver.mentioned(" ".join(words[1:n]), rule)
        return None if info is None else (info, action)

    def method_service(self, target: ast.Attribute) -> tuple[ServiceInfo, ActionKind] | None:
        """`python_callable=sf.upsert_tasks`: the receiver names the service ('sf' is
        Salesforce), the method's verb the action."""
        receiver = target.value
        if not isinstance(receiver, ast.Name):
            return None
        action = _callable_action(common.words(target.attr))
        if action is None:
            return None
        info = self.r.resolver.mentioned(receiver.id, "schema.code.airflow.callable")
        return None if info is None else (info, action)

    def dag_defaults(self, dag: ast.Call, defaults: dict[str, ast.Dict], tasks: list[str]) -> None:
        for keyword in dag.keywords:
            if keyword.arg != "default_args":
                continue
            value = keyword.value
            found = defaults.get(value.id) if isinstance(value, ast.Name) else value
            if isinstance(found, ast.Dict) and tasks:
                self.mapping(_dict(found), self.r.at("/default_args", found), None, found)

    def mapping(
        self,
        options: dict[str, ast.expr],
        at: str,
        scope: tuple[str, ...] | None,
        node: ast.Dict | None = None,
    ) -> None:
        """Keyword arguments (or a dict literal) read by key name, each located."""
        values: dict[str, object] = {}
        pairs = zip(node.keys, node.values, strict=True) if node is not None else ()
        keys = {(_text(k) or ""): (k, v) for k, v in pairs if k is not None}
        for name, value in options.items():
            key_node = keys.get(name, (None, value))[0]
            self.r.at(f"{at}/{name}", value, key_node)
            values[name] = _literal(value)
        self.keys.mapping(values, at, scope)
        for prose in self.keys.prose:
            self.c.read_as_prose(prose, member=True)
        self.keys.prose.clear()


def _dict(node: ast.Dict) -> dict[str, ast.expr]:
    return {
        (_text(k) or ""): v for k, v in zip(node.keys, node.values, strict=True) if k is not None
    }


def _text(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _literal(node: ast.expr) -> object:
    """A literal's value; for anything else its name (`timedelta(minutes=5)` -> 'timedelta')."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        names = chain(node.func) if isinstance(node, ast.Call) else chain(node)
        return names[-1] if names else "expression"


def _number(node: ast.expr | None, default: float) -> float:
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    return default


def _callable_action(words: list[str]) -> ActionKind | None:
    """What a callable named by its verb does ('list_calls' reads, 'upsert_tasks' writes),
    or None when its first word is no verb of either."""
    if words and words[0] in common.READ_VERBS:
        return "read"
    if words and words[0] in WRITE_VERBS:
        return "write"
    return None
