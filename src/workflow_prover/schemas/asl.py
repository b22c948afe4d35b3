"""Amazon States Language (AWS Step Functions) -> steps, services and claims.

Reading a state machine the way a reviewer does:

- Task states are steps; Map and Parallel states contain steps (their item processor or
  branches), and their own Retry/Catch/MaxConcurrency cover those steps. Pass, Choice, Wait,
  Succeed and Fail do no work. States reached only through a `Catch` are the failure path: the
  parts of a mechanism, not steps. So are Task states named for the idempotency mechanism
  ("Create and lock idempotency record", "Check dedupe table"): they are the guard, and it
  covers the steps after them.
- The service: an HTTP Task's `ApiEndpoint` host; an AWS integration's service
  (`arn:aws:states:::sqs:sendMessage` is Amazon SQS, `aws-sdk:dynamodb:getItem` DynamoDB); a
  Lambda function by name (a call to an API that throttles: it needs backoff like any other);
  a placeholder Resource (`${DDBUpdateItem}`) by the state's parameters (`asl_calls`). The API
  action (or the HTTP method) says read or write.
- Failures: `asl_failure` (Retry, Catch, a Choice on the outcome of a call).
- Parameters: `asl_params` (idempotency keys, conditional and overwriting writes, connections).
- Credentials: AWS integrations run under the state machine's execution role (workload
  identity); an HTTP Task's EventBridge connection keeps its credentials in Secrets Manager (a
  vault); a `secretsmanager`/`ssm` get task is the vault itself, not a step.
"""

from __future__ import annotations

import json

from workflow_prover.extract.services.catalog import ServiceInfo
from workflow_prover.models import ActionKind, ClaimKind
from workflow_prover.schemas import asl_params, common
from workflow_prover.schemas.asl_calls import Call, integration
from workflow_prover.schemas.asl_failure import FailurePaths
from workflow_prover.schemas.asl_graph import (
    States,
    catch_targets,
    failure_branches,
    predecessors,
    reach,
)
from workflow_prover.schemas.detect import Parsed
from workflow_prover.schemas.model import Collector, SchemaDoc, SchemaStep, pointer, resolve
from workflow_prover.schemas.services import ServiceResolver

K = ClaimKind
FORMAT = "asl"
_AWS_NAMES = {
    "events": "EventBridge",
    "states": "Step Functions",
    "sfn": "Step Functions",
    "apigateway": "API Gateway",
    "ecs": "Amazon ECS",
    "batch": "AWS Batch",
    "glue": "AWS Glue",
    "secretsmanager": "Secrets Manager",
    "rdsdata": "Amazon RDS",
}
_RUNTIME_SERVICES = frozenset(("ecs", "batch", "glue", "states", "sfn", "codebuild", "emr", "eks"))
_SECRET_READS = frozenset(("secretsmanager", "ssm"))
_NOT_PERSISTING = frozenset(("sns", "events"))  # a notification or an event, not a stored item
_ALERT_CATEGORIES = frozenset(("chat", "email", "sms", "incident"))
_READ_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
# API actions that store an item: a message sent, an item put, a record appended.
_STORE_VERBS = (
    *("send", "put", "batchwrite", "transactwrite", "update", "insert", "append"),
    *("create", "upload", "executestatement", "write"),
)
_GUARD_WORDS = frozenset(("idempotency", "idempotent", "dedupe", "dedup", "deduplication"))
FUNCTION_CATEGORY = "function"  # a function the workflow invokes: an API call that throttles


def recognise(value: object) -> str | None:
    """The pointer of the state machine in a parsed document, or None."""
    if is_machine(value):
        return ""
    if isinstance(value, dict):
        for key in ("Definition", "definition", "DefinitionBody"):
            if is_machine(value.get(key)):
                return pointer(key)
    return None


def is_machine(value: object) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("States"), dict)
        and isinstance(value.get("StartAt"), str)
    )


def read(parsed: Parsed, resolver: ServiceResolver) -> SchemaDoc | None:
    root = recognise(parsed.value)
    if root is None:
        return None
    collector = Collector(parsed, root)
    read_into(collector, resolver, resolve(parsed.value, root), root)
    return collector.doc(FORMAT)


def read_into(collector: Collector, resolver: ServiceResolver, machine: object, root: str) -> None:
    """Read the state machine `machine`, found at pointer `root`, into `collector`."""
    _Reader(collector, resolver).machine(machine, root)


class _Reader:
    def __init__(self, collector: Collector, resolver: ServiceResolver) -> None:
        self.c = collector
        self.resolver = resolver
        self.failures = FailurePaths(collector, self.persists, self.alerts)

    # ---- structure ----------------------------------------------------------------------

    def machine(self, machine: object, base: str) -> list[str]:
        """Read one state machine (or a branch or an item processor); its steps' identities."""
        if not isinstance(machine, dict) or not isinstance(machine.get("States"), dict):
            return []
        states = {k: v for k, v in machine["States"].items() if isinstance(v, dict)}
        start = machine.get("StartAt")
        main = reach(states, [start] if isinstance(start, str) else [], set())
        rest = [name for name in states if name not in main]
        handlers = reach(states, (t for n in main for t in catch_targets(states[n])), set(main))
        unreached = [name for name in rest if name not in handlers]
        if unreached:  # a fragment of a machine: its loose states still do work
            main += reach(states, unreached, set(main) | set(handlers))
        main_set = set(main)
        guards = [n for n in main if _is_guard(n, states[n])]
        idents: dict[str, list[str]] = {}
        for name in main:
            state = states[name]
            here = f"{base}/States/{common_escape(name)}"
            inner = [] if name in guards else self.state(state, here)
            if inner:
                self.resilience(name, state, here, tuple(inner), states, main_set)
            idents[name] = inner
        self.outcome_choices(states, main, idents, base)
        for name in guards:
            self.guard(name, states, idents, base)
        return [ident for name in main for ident in idents[name]]

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
            at = f"{here}/ItemReader"
            info = self.aws_service(call.service or "s3")
            step = SchemaStep(
                at, "read", (info,), self.c.span(at), self.c.key_span(here), "step.asl.item_reader"
            )
            self.c.steps.append(step)
            self.c.claim(K.WORKLOAD_IDENTITY, f"{at}/Resource", "schema.asl.execution_role", (at,))
            idents.append(at)
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                idents += self.machine(state[key], f"{here}/{key}")
                break
        inner = tuple(i for i in idents if not i.endswith("/ItemReader")) or tuple(idents)
        if inner:
            self.map_limits(state, here, inner)
        return idents

    def map_limits(self, state: dict[str, object], here: str, inner: tuple[str, ...]) -> None:
        limit = state.get("MaxConcurrency")
        if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
            at, rule = f"{here}/MaxConcurrency", "schema.asl.map.max_concurrency"
            self.c.claim(K.THROTTLE_CONCURRENCY, at, rule, inner, value=float(limit))
        keys = ("ToleratedFailurePercentage", "ToleratedFailureCount")
        tolerated = next(
            (k for k in keys if isinstance(state.get(k), int | float) and state[k]), None
        )
        if tolerated is None:
            return
        if isinstance(state.get("ResultWriter"), dict):
            at, rule = f"{here}/ResultWriter", "schema.asl.map.result_writer"
            self.c.claim(K.TERMINAL_PATH, at, rule, inner)
        else:
            at, rule = f"{here}/{tolerated}", "schema.asl.map.tolerated_failures"
            self.c.claim(K.SWALLOW, at, rule, inner)

    # ---- a Task -------------------------------------------------------------------------

    def task(self, state: dict[str, object], here: str) -> str | None:
        args_key = "Arguments" if isinstance(state.get("Arguments"), dict) else "Parameters"
        raw = state.get(args_key)
        params: dict[str, object] = raw if isinstance(raw, dict) else {}
        resource = _resource_text(state.get("Resource"))
        if resource is None:
            self.c.issue(here, "a Task state without a Resource is not a step")
            return None
        call = integration(resource, params)
        name = here.rsplit("/", 1)[-1]
        if (
            call.kind == "aws"
            and call.service in _SECRET_READS
            and call.action.lower()[:3] == "get"
        ):
            self.c.claim(K.VAULT, f"{here}/Resource", "schema.asl.secret_read", None)
            return None  # reading a secret is the vault mechanism, not a step of the workflow
        info, action = self.call(call, params, name)
        rule = f"step.asl.{call.kind}"
        step = SchemaStep(here, action, (info,), self.c.span(here), self.c.key_span(here), rule)
        self.c.steps.append(step)
        scope = (here,)
        asl_params.read(self.c, call, params, f"{here}/{args_key}", here)
        if call.kind in ("aws", "lambda"):
            at = f"{here}/Resource"
            self.c.claim(K.WORKLOAD_IDENTITY, at, "schema.asl.execution_role", scope)
        if isinstance(state.get("Credentials"), dict):
            at = f"{here}/Credentials"
            self.c.claim(K.WORKLOAD_IDENTITY, at, "schema.asl.assumed_role", scope)
        for key in ("TimeoutSeconds", "TimeoutSecondsPath"):
            if key in state:
                self.c.claim(K.TIMEOUT, f"{here}/{key}", "schema.asl.timeout", scope)
                break
        return here

    def call(
        self, call: Call, params: dict[str, object], name: str
    ) -> tuple[ServiceInfo, ActionKind]:
        """The service a Task calls and whether it reads or writes."""
        if call.kind == "http":
            endpoint = params.get("ApiEndpoint")
            url = endpoint if isinstance(endpoint, str) else ""
            method = params.get("Method")
            reads = isinstance(method, str) and method.upper() in _READ_METHODS
            return self.resolver.url(url, "schema.asl.http"), "read" if reads else "write"
        if call.kind == "lambda" or (call.kind == "aws" and call.service == "lambda"):
            function = call.function or params.get("FunctionName")
            info = self.lambda_service(function if isinstance(function, str) else None)
            return info, "read" if common.reads(name) else "write"
        if call.kind == "aws":
            info = self.aws_service(call.service)
            if call.service in _RUNTIME_SERVICES:
                return info, "read" if common.reads(name) else "write"
            if call.service == "apigateway":
                method = str(params.get("Method", "GET")).upper()
                return info, "read" if method in _READ_METHODS else "write"
            return info, "read" if common.reads(call.action) else "write"
        label = f"activity {call.function}" if call.function else "task worker"
        info = self.resolver.generic(label, "schema.asl.activity", "compute")
        return info, "read" if common.reads(name) else "write"

    def aws_service(self, service: str) -> ServiceInfo:
        rule = "schema.asl.aws_service"
        for name in (_AWS_NAMES.get(service, service), service):
            known = self.resolver.named(name, rule)
            if known is not None:
                return known
        return self.resolver.generic(f"AWS {service}", rule, "cloud_api", "aws")

    def lambda_service(self, function: str | None) -> ServiceInfo:
        rule = "schema.asl.lambda"
        short = _function_name(function)
        name = f"Lambda {short}" if short else "AWS Lambda"
        return self.resolver.generic(name, rule, FUNCTION_CATEGORY, "aws")

    # ---- failures -----------------------------------------------------------------------

    def resilience(
        self,
        name: str,
        state: dict[str, object],
        here: str,
        scope: tuple[str, ...],
        states: States,
        main: set[str],
    ) -> None:
        retry = state.get("Retry")
        for i, retrier in enumerate(retry if isinstance(retry, list) else []):
            if isinstance(retrier, dict):
                self.failures.retrier(retrier, f"{here}/Retry/{i}", scope, f"{here}/Retry")
        catch = state.get("Catch")
        for i, catcher in enumerate(catch if isinstance(catch, list) else []):
            if isinstance(catcher, dict):
                at = f"{here}/Catch/{i}"
                self.failures.catcher(name, catcher.get("Next"), at, scope, states, main)

    def outcome_choices(
        self, states: States, main: list[str], idents: dict[str, list[str]], base: str
    ) -> None:
        """A Choice on the outcome of the tasks before it covers those tasks' steps."""
        for name in main:
            state = states[name]
            branches = failure_branches(state) if state.get("Type") == "Choice" else None
            if not branches:
                continue
            tested = tuple(i for p in predecessors(states, name) for i in idents.get(p, []))
            if tested:
                at = f"{base}/States/{common_escape(name)}"
                self.failures.choice(at, branches, tested, states)

    def guard(self, name: str, states: States, idents: dict[str, list[str]], base: str) -> None:
        """A state of the idempotency mechanism guards the steps reached after it."""
        after = reach(states, _next(states[name]), {name})
        covered = tuple(i for n in after for i in idents.get(n, []))
        if not covered:
            return
        at = f"{base}/States/{common_escape(name)}"
        self.c.claim(K.IDEMPOTENCY_STORE, at, "schema.asl.idempotency_guard", covered)
        if "ttl" in common.words(json.dumps(states[name])):  # the record expires: retention
            self.c.claim(K.KEY_RETENTION, at, "schema.asl.idempotency_ttl", covered)

    def persists(self, call: Call, name: str) -> bool:
        """Does this failure-path task store the failed item (not undo, not notify)?"""
        if common.mentions(name, common.COMPENSATION_WORDS) or common.reads(name):
            return False
        if common.mentions(name, common.PARKING_WORDS):
            return True
        if call.kind != "aws" or call.service in _NOT_PERSISTING:
            return False
        if not any(call.action.lower().startswith(verb) for verb in _STORE_VERBS):
            return False
        info = self.aws_service(call.service)
        return info.role == "datastore" or info.category == "storage"

    def alerts(self, call: Call, name: str) -> bool:
        if call.service == "sns" or common.mentions(name, common.ALERT_WORDS):
            return True
        if call.kind == "aws":
            return self.aws_service(call.service).category in _ALERT_CATEGORIES
        return False


def _is_guard(name: str, state: dict[str, object]) -> bool:
    """A Task named for the idempotency mechanism: part of the mechanism, not a step."""
    return state.get("Type") == "Task" and common.mentions(name, _GUARD_WORDS)


def _next(state: dict[str, object]) -> list[str]:
    target = state.get("Next")
    return [target] if isinstance(target, str) else []


def _resource_text(resource: object) -> str | None:
    """A Resource ARN; a reference left unresolved (`{"Fn::GetAtt": [X, Arn]}`) as `${X}`."""
    if isinstance(resource, str):
        return resource
    if isinstance(resource, dict) and len(resource) == 1:
        (_, argument), *_ = resource.items()
        target = argument[0] if isinstance(argument, list) and argument else argument
        if isinstance(target, str):
            return "${" + target.split(".", 1)[0] + "}"
    return None


def _function_name(function: str | None) -> str:
    """`arn:...:function:charge-card:$LATEST` -> `charge-card`; `${ChargeFunctionArn}` ->
    `ChargeFunction`; a JSONPath reference names no function."""
    if not function:
        return ""
    if function.startswith("${") and function.endswith("}"):
        inner = function[2:-1]
        return inner[:-3] if inner.endswith("Arn") else inner
    if function.startswith("$") or function.startswith("{%"):
        return ""
    return function.split(":function:", 1)[-1].split(":")[0]


def common_escape(name: str) -> str:
    return pointer(name)[1:]
