"""The Prover's own workflow schema (`prover_schema.json`) -> steps, services and claims.

A document is this format when its `steps` are objects that each name a `service` and an
`action` (or when its `$schema` names the Prover). Each mechanism maps onto the claim the
prose would give: `retry.strategy: exponential` is exponential backoff, `error_path.type: dlq`
a terminal path, `credentials.source: env` an environment variable, `idempotency_key: null`
says there is none. `defaults` cover every step (the design-wide statement); a step's own
setting is read after them and wins. Values the schema does not allow become notes, not
guesses; keys it does not define are reported and read by their name (`prover_unread`).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from workflow_prover.models import ActionKind, ClaimKind
from workflow_prover.schemas import common
from workflow_prover.schemas.detect import Parsed
from workflow_prover.schemas.model import Collector, SchemaDoc, SchemaStep, pointer
from workflow_prover.schemas.prover_unread import read_unread
from workflow_prover.schemas.services import ServiceResolver

K = ClaimKind
FORMAT = "prover"
SCHEMA_ID = "urn:workflow-prover:schema:workflow:v1"
SCHEMA_URI = "workflow-prover://schemas/workflow"  # the MCP resource that serves it

_TERMINAL = frozenset(
    {
        "dlq",
        "failure_queue",
        "failed_records_table",
        "parking_lot",
        "error_workflow",
    }
)
_SWALLOW = frozenset(("log", "ignore"))
_RETRY = {
    "exponential": K.BACKOFF_EXPONENTIAL,
    "fixed": K.RETRY_FIXED,
    "linear": K.RETRY_FIXED,
    "immediate": K.RETRY_IMMEDIATE,
}
_SOURCES = {
    "vault": K.VAULT,
    "secret_manager": K.VAULT,
    "workload_identity": K.WORKLOAD_IDENTITY,
    "env": K.ENV_VAR,
    "hardcoded": K.HARDCODED,
}
_OFF = (None, False, "none", "no", 0)
_RATES = ("requests_per_second", "requests_per_minute")
_UNLIMITED = re.compile(r"^(unlimited|forever|infinite|-1)$", re.IGNORECASE)


def prover_schema_text() -> str:
    """The JSON Schema of the Prover's workflow format, as shipped in the package.

    A plain function (the MCP SDK registers resources from plain functions only); the file is
    read once.
    """
    return _schema_file()


@cache
def _schema_file() -> str:
    return (
        resources.files("workflow_prover.schemas").joinpath("prover_schema.json").read_text("utf-8")
    )


def prover_json_schema() -> dict[str, Any]:
    """The JSON Schema as a dict (a fresh copy: callers may change it)."""
    schema: dict[str, Any] = json.loads(prover_schema_text())
    return schema


def recognise(value: object) -> bool:
    if not isinstance(value, dict):
        return False
    if "workflow-prover" in str(value.get("$schema", "")):
        return True
    steps = value.get("steps")
    return (
        isinstance(steps, list)
        and bool(steps)
        and all(
            isinstance(s, dict)
            and isinstance(s.get("service"), str)
            and isinstance(s.get("action"), str)
            for s in steps
        )
    )


def read(parsed: Parsed, resolver: ServiceResolver) -> SchemaDoc | None:
    if not recognise(parsed.value):
        return None
    assert isinstance(parsed.value, dict)
    collector = Collector(parsed)
    _Reader(collector, resolver).read(parsed.value)
    return collector.doc(FORMAT)


_UPSERTS = frozenset(("upsert", "merge"))  # actions that write once per key


class _Reader:
    def __init__(self, c: Collector, resolver: ServiceResolver) -> None:
        self.c = c
        self.resolver = resolver

    def read(self, doc: dict[str, Any]) -> None:
        self.trigger(doc.get("trigger"))
        steps = doc.get("steps")
        idents: list[tuple[str, str, dict[str, Any]]] = []
        for i, step in enumerate(steps if isinstance(steps, list) else []):
            here = pointer("steps", i)
            if not isinstance(step, dict) or not isinstance(step.get("service"), str):
                self.c.issue(here, "a step needs a service and an action; it was skipped")
                continue
            ident = str(step.get("id") or step.get("name") or here)
            self.step(ident, step, here)
            idents.append((ident, here, step))
        defaults = doc.get("defaults")
        if isinstance(defaults, dict):
            self.mechanisms(defaults, "/defaults", None)
        located = {here: ident for ident, here, _ in idents}
        read_unread(self.c, self.resolver.vocabulary, doc, located)
        for ident, here, step in idents:
            self.mechanisms(step, here, (ident,))
            if isinstance(step.get("compensation"), str) and step["compensation"].strip():
                # how this step is undone when a later one fails: a rollback exists (no step's
                # own failure path, so it covers no step)
                at = f"{here}/compensation"
                self.c.claim(K.COMPENSATION, at, "schema.prover.compensation", ())

    def trigger(self, trigger: object) -> None:
        if not isinstance(trigger, dict):
            return
        kind = trigger.get("type")
        if kind not in ("webhook", "queue", "event"):
            return
        service = trigger.get("service")
        rule = "schema.prover.trigger"
        if isinstance(service, str) and service.strip():
            info = self.resolver.resolve(service, rule)
        else:
            info = self.resolver.webhook_sender(rule)
        title = self.c.span("/trigger/service" if service else "/trigger/type", member=False)
        self.c.steps.append(
            SchemaStep(
                "trigger",
                "read",
                (info,),
                self.c.span("/trigger"),
                title,
                "step.prover.trigger",
                inbound=True,
            )
        )

    def step(self, ident: str, step: dict[str, Any], here: str) -> None:
        action = str(step.get("action", "write")).strip().lower()
        inbound = action == "receive"
        kind: ActionKind = (
            "read"
            if inbound or action == "read" or (action != "write" and common.reads(action))
            else "write"
        )
        category = step.get("category") if isinstance(step.get("category"), str) else None
        info = self.resolver.resolve(str(step["service"]), "schema.prover.service", category)
        named = "name" if isinstance(step.get("name"), str) else "id" if "id" in step else "service"
        title = self.c.span(f"{here}/{named}", member=False)
        self.c.steps.append(
            SchemaStep(
                ident, kind, (info,), self.c.span(here, member=False), title, "step.prover", inbound
            )
        )
        if action in _UPSERTS:
            # {"action": "upsert", ...}: an upsert is idempotent by definition (README)
            self.c.claim(K.IDEMPOTENCY, f"{here}/action", "schema.prover.upsert", (ident,))

    # ---- mechanisms ---------------------------------------------------------------------

    def mechanisms(self, where: dict[str, Any], here: str, scope: tuple[str, ...] | None) -> None:
        if "idempotency_key" in where:
            self.idempotency(where["idempotency_key"], f"{here}/idempotency_key", scope)
        if "retry" in where:
            self.retry(where["retry"], f"{here}/retry", scope)
        if isinstance(where.get("rate_limit"), dict):
            self.rate_limit(where["rate_limit"], f"{here}/rate_limit", scope)
        if "error_path" in where:
            self.error_path(where["error_path"], f"{here}/error_path", scope)
        if "credentials" in where:
            self.credentials(where["credentials"], f"{here}/credentials", scope)
        if "timeout" in where:
            off = where["timeout"] in _OFF
            self.c.claim(
                K.TIMEOUT,
                f"{here}/timeout",
                "schema.prover.timeout",
                scope,
                modality="negated" if off else "asserted",
            )

    def idempotency(self, value: Any, at: str, scope: tuple[str, ...] | None) -> None:
        group = at
        if value in _OFF:
            self.c.claim(
                K.IDEMPOTENCY, at, "schema.prover.no_key", scope, modality="negated", group=group
            )
            return
        key = value.get("key") if isinstance(value, dict) else value
        if not isinstance(key, str):
            self.c.issue(at, "idempotency_key must be a string or an object with a key")
            return
        kind = K.UNSTABLE_KEY if common.unstable(key) else K.IDEMPOTENCY
        self.c.claim(kind, at, f"schema.prover.{kind.value}", scope, group=group)
        if isinstance(value, dict) and value.get("store"):
            self.c.claim(
                K.IDEMPOTENCY_STORE, f"{at}/store", "schema.prover.key_store", scope, group=group
            )
        if isinstance(value, dict) and value.get("retention"):
            self.c.claim(K.KEY_RETENTION, f"{at}/retention", "schema.prover.key_retention", scope)

    def retry(self, value: Any, at: str, scope: tuple[str, ...] | None) -> None:
        if not isinstance(value, dict):
            self.c.issue(at, "retry must be an object with a strategy")
            return
        strategy = str(value.get("strategy", "")).lower()
        group = at
        if strategy == "none":
            for kind in (K.RETRY, K.BACKOFF_EXPONENTIAL, K.RETRY_FIXED):
                self.c.claim(
                    kind,
                    f"{at}/strategy",
                    "schema.prover.no_retry",
                    scope,
                    modality="negated",
                    group=group,
                )
            return
        if strategy not in _RETRY:
            self.c.issue(
                f"{at}/strategy",
                f"unknown retry strategy {strategy[:40]!r}; retries read as unspecified",
            )
        attempts = value.get("max_attempts")
        self.c.claim(K.RETRY, at, "schema.prover.retry", scope, group=group)
        if strategy in _RETRY:
            self.c.claim(
                _RETRY[strategy],
                f"{at}/strategy",
                f"schema.prover.retry.{strategy}",
                scope,
                group=group,
            )
        if isinstance(attempts, int) and not isinstance(attempts, bool) and attempts >= 0:
            self.c.claim(
                K.MAX_ATTEMPTS,
                f"{at}/max_attempts",
                "schema.prover.max_attempts",
                scope,
                group=group,
                value=float(attempts),
            )
        elif isinstance(attempts, str) and _UNLIMITED.match(attempts.strip()):
            self.c.claim(
                K.UNBOUNDED, f"{at}/max_attempts", "schema.prover.unlimited", scope, group=group
            )
        if "jitter" in value:
            off = value["jitter"] in _OFF
            self.c.claim(
                K.JITTER,
                f"{at}/jitter",
                "schema.prover.jitter",
                scope,
                modality="negated" if off else "asserted",
                group=group,
            )
        if value.get("retry_after") is True:
            self.c.claim(
                K.RETRY_AFTER, f"{at}/retry_after", "schema.prover.retry_after", scope, group=group
            )

    def rate_limit(self, value: dict[str, Any], at: str, scope: tuple[str, ...] | None) -> None:
        for key in _RATES:
            rate = value.get(key)
            if isinstance(rate, int | float) and not isinstance(rate, bool) and rate > 0:
                self.c.claim(
                    K.THROTTLE_RATE, f"{at}/{key}", "schema.prover.rate", scope, value=float(rate)
                )
        cap = value.get("concurrency")
        if isinstance(cap, int) and not isinstance(cap, bool) and cap > 0:
            self.c.claim(
                K.THROTTLE_CONCURRENCY,
                f"{at}/concurrency",
                "schema.prover.concurrency",
                scope,
                value=float(cap),
            )

    def error_path(self, value: Any, at: str, scope: tuple[str, ...] | None) -> None:
        kind = value.get("type") if isinstance(value, dict) else value
        kind = str(kind).lower() if kind is not None else "none"
        group = at
        if kind in _TERMINAL:
            self.c.claim(
                K.TERMINAL_PATH, at, f"schema.prover.error_path.{kind}", scope, group=group
            )
        elif kind == "compensate":
            self.c.claim(
                K.COMPENSATION, at, "schema.prover.error_path.compensate", scope, group=group
            )
        elif kind in _SWALLOW:
            self.c.claim(K.SWALLOW, at, f"schema.prover.error_path.{kind}", scope, group=group)
        elif kind in ("none", "false"):
            for claim in (K.TERMINAL_PATH, K.COMPENSATION):
                self.c.claim(
                    claim,
                    at,
                    "schema.prover.error_path.none",
                    scope,
                    modality="negated",
                    group=group,
                )
        else:
            self.c.issue(
                f"{at}/type", f"unknown error_path type {kind[:40]!r}; read as no error path"
            )
        if isinstance(value, dict) and value.get("alert") is True:
            self.c.claim(K.ALERTING, f"{at}/alert", "schema.prover.alert", scope)
        if isinstance(value, dict) and value.get("replay") is True:
            self.c.claim(K.REPLAY, f"{at}/replay", "schema.prover.replay", scope)

    def credentials(self, value: Any, at: str, scope: tuple[str, ...] | None) -> None:
        source = value.get("source") if isinstance(value, dict) else value
        source = str(source).lower()
        if source in _SOURCES:
            kind = _SOURCES[source]
            self.c.claim(
                kind, f"{at}/source", f"schema.prover.credentials.{source}", scope, group=at
            )
        elif source != "none":
            self.c.issue(f"{at}/source", f"unknown credentials source {source[:40]!r}")
        rotation = value.get("rotation") if isinstance(value, dict) else None
        if isinstance(value, dict) and "rotation" in value:
            off = rotation in _OFF
            self.c.claim(
                K.ROTATION,
                f"{at}/rotation",
                "schema.prover.rotation",
                scope,
                modality="negated" if off else "asserted",
            )
