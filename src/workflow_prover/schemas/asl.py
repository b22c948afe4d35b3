"""Amazon States Language (AWS Step Functions) -> steps, services and claims.

Reading a state machine the way a reviewer does:

- Task states are steps; Map and Parallel states contain steps (their item processor or
  branches), and their own Retry/Catch/MaxConcurrency cover those steps. Pass, Choice, Wait,
  Succeed and Fail do no work. States reached only through a `Catch` are the failure path: the
  parts of a mechanism, not steps.
- The service: an HTTP Task's `ApiEndpoint` host; an AWS integration's service
  (`arn:aws:states:::sqs:sendMessage` is Amazon SQS, `aws-sdk:dynamodb:getItem` DynamoDB); a
  Lambda function by name. The API action (or the HTTP method) says read or write.
- `Retry`: every retrier is a retry; `BackoffRate` above 1 (the default is 2.0) is exponential,
  1 is a fixed interval; `MaxAttempts` (default 3) bounds it; `JitterStrategy: FULL` is jitter.
  All the retriers of a state read as one statement, so a fixed-interval retrier is not hidden
  by an exponential one.
- `Catch`: where its `Next` leads. A path that persists the failed input (an SQS send, a table
  or bucket write, a state named for a DLQ) is a terminal path; compensating tasks (`Cancel...`,
  `Refund...`) are a compensation; a path that only reaches `Fail` is try/catch (not terminal);
  one that reaches `Succeed` or rejoins the workflow without persisting swallows the error.
- Idempotency: `Idempotency-Key` headers, client tokens and de-duplication ids in `Parameters`
  or `Arguments` (unstable when built from `States.UUID()` or a clock), conditional writes
  (`attribute_not_exists`), an HTTP PUT/PATCH, and a DynamoDB update that only sets attributes
  (no `ADD`, no arithmetic). An unconditional `putItem` is not: its key may not be stable.
- Credentials: AWS integrations run under the state machine's execution role (workload
  identity); an HTTP Task's EventBridge connection keeps its credentials in Secrets Manager (a
  vault); a credential written into the parameters is hard-coded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from workflow_prover.extract.services.catalog import ServiceInfo
from workflow_prover.models import ActionKind, ClaimKind
from workflow_prover.schemas import common
from workflow_prover.schemas.detect import Parsed
from workflow_prover.schemas.model import (
    Collector,
    SchemaDoc,
    SchemaStep,
    pointer,
    resolve,
    walk,
)
from workflow_prover.schemas.services import ServiceResolver

K = ClaimKind
FORMAT = "asl"
_AWS_NAMES = {
    "events": "EventBridge",
    "states": "Step Functions",
    "apigateway": "API Gateway",
    "ecs": "Amazon ECS",
    "batch": "AWS Batch",
    "glue": "AWS Glue",
    "secretsmanager": "Secrets Manager",
    "rdsdata": "Amazon RDS",
}
_RUNTIME_SERVICES = frozenset(("ecs", "batch", "glue", "states", "codebuild", "emr", "eks"))
_SECRET_READS = frozenset(("secretsmanager", "ssm"))
_NOT_PERSISTING = frozenset(("sns", "events"))  # a notification or an event, not a stored item
_ALERT_CATEGORIES = frozenset(("chat", "email", "sms", "incident"))
_READ_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
# An update that counts (ADD, arithmetic, appending) is not safe to repeat; one that sets is.
_COUNTING = re.compile(r"\bADD\b|[+-]\s*:|list_append", re.IGNORECASE)
# API actions that store an item: a message sent, an item put, a record appended.
_STORE_VERBS = (
    *("send", "put", "batchwrite", "transactwrite", "update", "insert", "append"),
    *("create", "upload", "executestatement", "write"),
)


def recognise(value: object) -> str | None:
    """The pointer of the state machine in a parsed document, or None."""
    if _is_machine(value):
        return ""
    if isinstance(value, dict):
        for key in ("Definition", "definition", "DefinitionBody"):
            if _is_machine(value.get(key)):
                return pointer(key)
    return None


def _is_machine(value: object) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("States"), dict)
        and isinstance(value.get("StartAt"), str)
    )


def read(parsed: Parsed, resolver: ServiceResolver) -> SchemaDoc | None:
    root = recognise(parsed.value)
    if root is None:
        return None
    machine = resolve(parsed.value, root)
    collector = Collector(parsed, root)
    _Reader(collector, resolver).machine(machine, root)
    return collector.doc(FORMAT)


class _Integration:
    """What a Task's Resource calls."""

    def __init__(self, kind: str, service: str, action: str, function: str | None = None):
        self.kind = kind  # http | aws | lambda | activity | other
        self.service = service  # sqs, dynamodb, lambda, http...
        self.action = action  # sendMessage, putItem, invoke, ...
        self.function = function


def integration(resource: str) -> _Integration:
    if resource.startswith("arn:aws:states:::"):
        parts = resource[len("arn:aws:states:::") :].split(":")
        if parts[0] == "aws-sdk" and len(parts) >= 3:
            return _Integration("aws", parts[1].lower(), parts[2].split(".")[0])
        action = parts[1].split(".")[0] if len(parts) > 1 else ""
        if parts[0] == "http":
            return _Integration("http", "http", action)
        return _Integration("aws", parts[0].lower(), action)
    if resource.startswith("arn:aws:lambda:") and ":function:" in resource:
        name = resource.split(":function:", 1)[1].split(":")[0]
        return _Integration("lambda", "lambda", "invoke", name)
    if resource.startswith("arn:aws:states:") and ":activity:" in resource:
        return _Integration("activity", "activity", "", resource.rsplit(":", 1)[-1])
    return _Integration("other", "", "")


def _successors(state: dict[str, object]) -> list[str]:
    out: list[str] = []
    choices = state.get("Choices")
    if isinstance(choices, list):
        out += [
            c["Next"] for c in choices if isinstance(c, dict) and isinstance(c.get("Next"), str)
        ]
    for key in ("Next", "Default"):
        target = state.get(key)
        if isinstance(target, str):
            out.append(target)
    return out


def _catch_targets(state: dict[str, object]) -> list[str]:
    catch = state.get("Catch")
    if not isinstance(catch, list):
        return []
    return [c["Next"] for c in catch if isinstance(c, dict) and isinstance(c.get("Next"), str)]


def _reach(states: dict[str, dict[str, object]], roots: Iterable[str], stop: set[str]) -> list[str]:
    """States reached from `roots` through Next/Choices/Default, in depth-first order."""
    order: list[str] = []
    seen = set(stop)
    stack = list(reversed(list(roots)))
    while stack:
        name = stack.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        order.append(name)
        stack += reversed(_successors(states[name]))
    return order


class _Reader:
    def __init__(self, collector: Collector, resolver: ServiceResolver) -> None:
        self.c = collector
        self.resolver = resolver

    # ---- structure ----------------------------------------------------------------------

    def machine(self, machine: object, base: str) -> list[str]:
        """Read one state machine (or a branch or an item processor); its steps' identities."""
        if not isinstance(machine, dict) or not isinstance(machine.get("States"), dict):
            return []
        states = {k: v for k, v in machine["States"].items() if isinstance(v, dict)}
        start = machine.get("StartAt")
        main = _reach(states, [start] if isinstance(start, str) else [], set())
        rest = [name for name in states if name not in main]
        handlers = _reach(states, (t for n in main for t in _catch_targets(states[n])), set(main))
        unreached = [name for name in rest if name not in handlers]
        if unreached:  # a fragment of a machine: its loose states still do work
            main += _reach(states, unreached, set(main) | set(handlers))
        main_set = set(main)
        idents: list[str] = []
        for name in main:
            state = states[name]
            here = f"{base}/States/{common_escape(name)}"
            inner = self.state(state, here)
            if inner:
                self.resilience(state, here, tuple(inner), states, main_set)
            idents += inner
        return idents

    def state(self, state: dict[str, object], here: str) -> list[str]:
        kind = state.get("Type")
        if kind == "Task":
            ident = self.task(state, here)
            return [ident] if ident else []
        if kind == "Map":
            return self.map(state, here)
        if kind == "Parallel":
            branches = state.get("Branches")
            if not isinstance(branches, list):
                return []
            return [
                ident
                for i, branch in enumerate(branches)
                for ident in self.machine(branch, f"{here}/Branches/{i}")
            ]
        return []

    def map(self, state: dict[str, object], here: str) -> list[str]:
        idents: list[str] = []
        reader = state.get("ItemReader")
        if isinstance(reader, dict) and isinstance(reader.get("Resource"), str):
            call = integration(str(reader["Resource"]))
            info = self.aws_service(call.service or "s3", f"{here}/ItemReader")
            at = f"{here}/ItemReader"
            self.c.steps.append(
                SchemaStep(
                    at,
                    "read",
                    (info,),
                    self.c.span(at),
                    self.c.key_span(here),
                    "step.asl.item_reader",
                )
            )
            self.c.claim(K.WORKLOAD_IDENTITY, f"{at}/Resource", "schema.asl.execution_role", (at,))
            idents.append(at)
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                idents += self.machine(state[key], f"{here}/{key}")
                break
        inner = tuple(i for i in idents if not i.endswith("/ItemReader")) or tuple(idents)
        limit = state.get("MaxConcurrency")
        if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 and inner:
            self.c.claim(
                K.THROTTLE_CONCURRENCY,
                f"{here}/MaxConcurrency",
                "schema.asl.map.max_concurrency",
                inner,
                value=float(limit),
            )
        tolerated = any(
            isinstance(state.get(k), int | float) and state.get(k)
            for k in ("ToleratedFailurePercentage", "ToleratedFailureCount")
        )
        if tolerated and inner:
            key = next(
                k for k in ("ToleratedFailurePercentage", "ToleratedFailureCount") if state.get(k)
            )
            if isinstance(state.get("ResultWriter"), dict):
                self.c.claim(
                    K.TERMINAL_PATH, f"{here}/ResultWriter", "schema.asl.map.result_writer", inner
                )
            else:
                self.c.claim(K.SWALLOW, f"{here}/{key}", "schema.asl.map.tolerated_failures", inner)
        return idents

    # ---- a Task -------------------------------------------------------------------------

    def task(self, state: dict[str, object], here: str) -> str | None:
        resource = state.get("Resource")
        if not isinstance(resource, str):
            self.c.issue(here, "a Task state without a Resource is not a step")
            return None
        call = integration(resource)
        args_key = "Arguments" if isinstance(state.get("Arguments"), dict) else "Parameters"
        raw = state.get(args_key)
        params: dict[str, object] = raw if isinstance(raw, dict) else {}
        at_args = f"{here}/{args_key}"
        name = here.rsplit("/", 1)[-1]
        if (
            call.kind == "aws"
            and call.service in _SECRET_READS
            and call.action.lower().startswith("get")
        ):
            self.c.claim(K.VAULT, f"{here}/Resource", "schema.asl.secret_read", None)
            return None  # reading a secret is the vault mechanism, not a step of the workflow
        info, action = self.call(call, params, name, f"{here}/Resource")
        rule = f"step.asl.{call.kind}"
        self.c.steps.append(
            SchemaStep(here, action, (info,), self.c.span(here), self.c.key_span(here), rule)
        )
        scope = (here,)
        self.keys(params, at_args, scope, here)
        self.naturally_idempotent(call, params, at_args, scope, here)
        if call.kind in ("aws", "lambda"):
            self.c.claim(
                K.WORKLOAD_IDENTITY, f"{here}/Resource", "schema.asl.execution_role", scope
            )
        if isinstance(state.get("Credentials"), dict):
            self.c.claim(
                K.WORKLOAD_IDENTITY, f"{here}/Credentials", "schema.asl.assumed_role", scope
            )
        auth = params.get("Authentication")
        if call.kind == "http" and isinstance(auth, dict) and auth.get("ConnectionArn"):
            self.c.claim(
                K.VAULT,
                f"{at_args}/Authentication/ConnectionArn",
                "schema.asl.eventbridge_connection",
                scope,
            )
        for key in ("TimeoutSeconds", "TimeoutSecondsPath"):
            if key in state:
                self.c.claim(K.TIMEOUT, f"{here}/{key}", "schema.asl.timeout", scope)
                break
        return here

    def call(
        self, call: _Integration, params: dict[str, object], name: str, at: str
    ) -> tuple[ServiceInfo, ActionKind]:
        """The service a Task calls and whether it reads or writes."""
        if call.kind == "http":
            endpoint = params.get("ApiEndpoint")
            info = self.resolver.url(
                endpoint if isinstance(endpoint, str) else "", "schema.asl.http"
            )
            method = params.get("Method")
            reads = isinstance(method, str) and method.upper() in _READ_METHODS
            return info, "read" if reads else "write"
        if call.kind in ("lambda",) or (call.kind == "aws" and call.service == "lambda"):
            function = call.function or params.get("FunctionName")
            info = self.lambda_service(function if isinstance(function, str) else None)
            return info, "read" if common.reads(name) else "write"
        if call.kind == "aws":
            info = self.aws_service(call.service, at)
            if call.service in _RUNTIME_SERVICES:
                return info, "read" if common.reads(name) else "write"
            return info, "read" if common.reads(call.action) else "write"
        label = f"activity {call.function}" if call.function else "task worker"
        return self.resolver.generic(label, "schema.asl.activity", "compute"), (
            "read" if common.reads(name) else "write"
        )

    def aws_service(self, service: str, at: str) -> ServiceInfo:
        rule = "schema.asl.aws_service"
        for name in (_AWS_NAMES.get(service, service), service):
            known = self.resolver.named(name, rule)
            if known is not None:
                return known
        return self.resolver.generic(f"AWS {service}", rule, "cloud_api", "aws")

    def lambda_service(self, function: str | None) -> ServiceInfo:
        rule = "schema.asl.lambda"
        if function and not function.startswith("$"):
            short = function.split(":function:", 1)[-1].split(":")[0]
            return self.resolver.generic(f"Lambda {short}", rule, "compute", "aws")
        return self.resolver.named("AWS Lambda", rule) or self.resolver.generic(
            "AWS Lambda", rule, "compute", "aws"
        )

    def naturally_idempotent(
        self,
        call: _Integration,
        params: dict[str, object],
        at: str,
        scope: tuple[str, ...],
        here: str,
    ) -> None:
        """A PUT/PATCH on an HTTP resource, or a DynamoDB update that only sets attributes."""
        group = f"{here}/idempotency"
        method = params.get("Method")
        if call.kind == "http" and isinstance(method, str) and method.upper() in ("PUT", "PATCH"):
            self.c.claim(K.IDEMPOTENCY, f"{at}/Method", "schema.asl.http_put", scope, group=group)
        update = params.get("UpdateExpression")
        if (
            call.service == "dynamodb"
            and call.action.lower() == "updateitem"
            and isinstance(update, str)
            and not _COUNTING.search(update)
        ):
            at_update = f"{at}/UpdateExpression"
            self.c.claim(K.IDEMPOTENCY, at_update, "schema.asl.set_update", scope, group=group)

    def keys(self, params: dict[str, object], at: str, scope: tuple[str, ...], here: str) -> None:
        """Idempotency keys, conditional writes and literal credentials in the parameters."""
        group = f"{here}/idempotency"
        for ptr, key, value in walk(params, at):
            name = common.key_name(key)
            if name in common.IDEMPOTENCY_KEYS and not isinstance(value, dict | list):
                kind = K.UNSTABLE_KEY if common.unstable(value) else K.IDEMPOTENCY
                rule = (
                    "schema.asl.unstable_key"
                    if kind is K.UNSTABLE_KEY
                    else "schema.asl.idempotency_key"
                )
                self.c.claim(kind, ptr, rule, scope, group=group)
            elif name == "conditionexpression" and "attribute_not_exists" in str(value):
                self.c.claim(K.IDEMPOTENCY, ptr, "schema.asl.conditional_write", scope, group=group)
            elif (
                name in common.SECRET_KEYS
                and not key.endswith(".$")
                and common.literal_secret(value)
            ):
                self.c.claim(K.HARDCODED, ptr, "schema.asl.literal_credential", scope)

    # ---- Retry and Catch ----------------------------------------------------------------

    def resilience(
        self,
        state: dict[str, object],
        here: str,
        scope: tuple[str, ...],
        states: dict[str, dict[str, object]],
        main: set[str],
    ) -> None:
        retry = state.get("Retry")
        if isinstance(retry, list):
            for i, retrier in enumerate(retry):
                if isinstance(retrier, dict):
                    self.retrier(retrier, f"{here}/Retry/{i}", scope, f"{here}/Retry")
        catch = state.get("Catch")
        if isinstance(catch, list):
            for i, catcher in enumerate(catch):
                if isinstance(catcher, dict):
                    self.catcher(catcher, f"{here}/Catch/{i}", scope, states, main, f"{here}/Catch")

    def retrier(
        self, retrier: dict[str, object], at: str, scope: tuple[str, ...], group: str
    ) -> None:
        attempts = _number(retrier.get("MaxAttempts"), 3.0)
        if attempts <= 0:
            return  # MaxAttempts 0: these errors are not retried
        self.c.claim(K.RETRY, at, "schema.asl.retry", scope, group=group, value=attempts)
        rate = _number(retrier.get("BackoffRate"), 2.0)
        rate_at = f"{at}/BackoffRate" if "BackoffRate" in retrier else at
        if rate > 1:
            rule = (
                "schema.asl.retry.backoff"
                if "BackoffRate" in retrier
                else "schema.asl.retry.default_backoff"
            )
            self.c.claim(K.BACKOFF_EXPONENTIAL, rate_at, rule, scope, group=group, value=rate)
        else:
            interval = _number(retrier.get("IntervalSeconds"), 1.0)
            self.c.claim(
                K.RETRY_FIXED, rate_at, "schema.asl.retry.fixed", scope, group=group, value=interval
            )
        attempts_at = f"{at}/MaxAttempts" if "MaxAttempts" in retrier else at
        self.c.claim(
            K.MAX_ATTEMPTS,
            attempts_at,
            "schema.asl.retry.max_attempts",
            scope,
            group=group,
            value=attempts,
        )
        if str(retrier.get("JitterStrategy", "")).upper() == "FULL":
            self.c.claim(
                K.JITTER, f"{at}/JitterStrategy", "schema.asl.retry.jitter", scope, group=group
            )

    def catcher(
        self,
        catcher: dict[str, object],
        at: str,
        scope: tuple[str, ...],
        states: dict[str, dict[str, object]],
        main: set[str],
        group: str,
    ) -> None:
        target = catcher.get("Next")
        path = _reach(states, [target] if isinstance(target, str) else [], set())
        rejoins = any(name in main for name in path)
        path = [name for name in path if name not in main]
        persists = compensates = alerts = False
        ends: set[str] = set()
        for name in path:
            state = states[name]
            kind = state.get("Type")
            if kind in ("Fail", "Succeed"):
                ends.add(str(kind))
            elif state.get("End") is True:
                ends.add("Succeed")
            if kind != "Task" or not isinstance(state.get("Resource"), str):
                continue
            call = integration(str(state["Resource"]))
            persists |= self.persists(call, name)
            compensates |= common.mentions(name, common.COMPENSATION_WORDS)
            alerts |= self.alerts(call, name)
        if rejoins:
            ends.add("Succeed")
        if persists:
            self.c.claim(K.TERMINAL_PATH, at, "schema.asl.catch.persist", scope, group=group)
        elif compensates:
            self.c.claim(K.COMPENSATION, at, "schema.asl.catch.compensate", scope, group=group)
        elif ends and ends <= {"Fail"}:
            self.c.claim(K.TRY_CATCH, at, "schema.asl.catch.fail", scope, group=group)
        else:
            self.c.claim(K.SWALLOW, at, "schema.asl.catch.continue", scope, group=group)
        if alerts:
            self.c.claim(K.ALERTING, at, "schema.asl.catch.alert", scope, group=group)

    def persists(self, call: _Integration, name: str) -> bool:
        """Does this failure-path task store the failed item (not undo, not notify)?"""
        if common.mentions(name, common.COMPENSATION_WORDS) or common.reads(name):
            return False
        if common.mentions(name, common.PARKING_WORDS):
            return True
        if call.kind != "aws" or call.service in _NOT_PERSISTING:
            return False
        if not any(call.action.lower().startswith(verb) for verb in _STORE_VERBS):
            return False
        info = self.aws_service(call.service, "")
        return info.role == "datastore" or info.category == "storage"

    def alerts(self, call: _Integration, name: str) -> bool:
        if call.service in ("sns",) or common.mentions(name, common.ALERT_WORDS):
            return True
        if call.kind == "aws":
            return self.aws_service(call.service, "").category in _ALERT_CATEGORIES
        return False


def _number(value: object, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)


def common_escape(name: str) -> str:
    return pointer(name)[1:]
