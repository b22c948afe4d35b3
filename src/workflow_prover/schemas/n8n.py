"""n8n workflow exports -> steps, services and claims.

- Nodes are steps when they call a service: the node type names it (`n8n-nodes-base.slack` is
  Slack, `n8n-nodes-base.awsSqs` Amazon SQS, an HTTP Request node its URL's host); the
  `operation` (or the HTTP method) says read or write. A webhook node is an inbound receive; a
  `<service>Trigger` node receives from that service; schedules, manual triggers and logic nodes
  (Set, IF, Code, Merge...) do no external work. Steps are numbered along the connections.
- `retryOnFail` retries after a fixed wait (`waitBetweenTries`, default 1 s), `maxTries` times
  (default 3).
- `onError: continueRegularOutput` (and the older `continueOnFail`) swallows the error.
  `continueErrorOutput` sends it down the error output: the nodes there are the failure path,
  not steps; it is terminal when one of them stores the item (a table, a sheet, a queue, a
  bucket, a node named for failed items), try/catch when it only stops the run, and swallowing
  when it only notifies or goes nowhere.
- `settings.errorWorkflow` is failure handling of some kind; this export does not show whether
  the error workflow stores the failed item.
- Node credentials come from n8n's encrypted credential store (or its external secrets): a
  secure reference, rotated only when it is an OAuth2 credential. A token typed into a header
  or a parameter is hard-coded; `{{ $secrets... }}` is a vault, `{{ $env... }}` an environment
  variable.
- Upserts (`upsert`, `appendOrUpdate`, SQL `ON CONFLICT`), updates of a record by its id, HTTP
  PUT/PATCH, `Idempotency-Key` headers and the Remove Duplicates node's history of previous
  executions make writes idempotent; a key built from `$now`, a UUID or `$execution.id` (a
  retried execution gets a new id) is unstable.
"""

from __future__ import annotations

from collections import deque

from workflow_prover.extract.services.catalog import ServiceInfo
from workflow_prover.models import ActionKind, ClaimKind
from workflow_prover.schemas import common
from workflow_prover.schemas.detect import Parsed
from workflow_prover.schemas.model import Collector, SchemaDoc, SchemaStep, Span, pointer, walk
from workflow_prover.schemas.services import ServiceResolver

K = ClaimKind
FORMAT = "n8n"
_LOGIC = frozenset(
    {
        "set",
        "if",
        "switch",
        "merge",
        "code",
        "function",
        "functionItem",
        "noOp",
        "wait",
        "splitInBatches",
        "itemLists",
        "filter",
        "stickyNote",
        "respondToWebhook",
        "stopAndError",
        "dateTime",
        "crypto",
        "html",
        "xml",
        "markdown",
        "aggregate",
        "splitOut",
        "sort",
        "limit",
        "removeDuplicates",
        "compareDatasets",
        "renameKeys",
        "summarize",
        "executeWorkflow",
        "moveBinaryData",
        "convertToFile",
        "extractFromFile",
        "spreadsheetFile",
        "editImage",
        "debugHelper",
        "executionData",
        "form",
        "noOperation",
        "splitOutItems",
        "totp",
    }
)
_SILENT_TRIGGERS = frozenset(
    {
        "scheduleTrigger",
        "cron",
        "interval",
        "manualTrigger",
        "start",
        "errorTrigger",
        "executeWorkflowTrigger",
        "n8nTrigger",
        "workflowTrigger",
        "localFileTrigger",
    }
)
_WEBHOOKS = frozenset(("webhook", "formTrigger", "chatTrigger"))
_HTTP = frozenset(("httpRequest", "httpRequestTool", "graphql", "toolHttpRequest"))
_READ_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
_UPSERTS = frozenset(("upsert", "appendOrUpdate", "createOrUpdate", "upsertRow"))
_SQL_UPSERT = ("on conflict", "on duplicate key", "merge into", "where not exists")
_STORE_CATEGORIES = frozenset(("storage", "productivity"))
_ALERT_CATEGORIES = frozenset(("chat", "email", "sms", "incident"))


def recognise(value: object) -> bool:
    if not isinstance(value, dict):
        return False
    nodes, connections = value.get("nodes"), value.get("connections")
    return (
        isinstance(nodes, list)
        and isinstance(connections, dict)
        and any(isinstance(n, dict) and isinstance(n.get("type"), str) for n in nodes)
    )


def read(parsed: Parsed, resolver: ServiceResolver) -> SchemaDoc | None:
    if not recognise(parsed.value):
        return None
    assert isinstance(parsed.value, dict)
    collector = Collector(parsed)
    _Reader(parsed.value, collector, resolver).read()
    return collector.doc(FORMAT)


def _suffix(node_type: str) -> str:
    return node_type.rsplit(".", 1)[-1]


class _Reader:
    def __init__(self, workflow: dict[str, object], c: Collector, resolver: ServiceResolver):
        self.c = c
        self.resolver = resolver
        self.nodes: dict[str, tuple[int, dict[str, object]]] = {}
        raw = workflow.get("nodes")
        for i, node in enumerate(raw if isinstance(raw, list) else []):
            if (
                isinstance(node, dict)
                and isinstance(node.get("name"), str)
                and isinstance(node.get("type"), str)
                and node.get("disabled") is not True
            ):
                self.nodes[str(node["name"])] = (i, node)
        connections = workflow.get("connections")
        self.connections = connections if isinstance(connections, dict) else {}
        settings = workflow.get("settings")
        self.settings = settings if isinstance(settings, dict) else {}

    # ---- the graph of nodes -------------------------------------------------------------

    def outputs(self, name: str) -> list[list[str]]:
        entry = self.connections.get(name)
        main = entry.get("main") if isinstance(entry, dict) else None
        out: list[list[str]] = []
        for port in main if isinstance(main, list) else []:
            targets = port if isinstance(port, list) else []
            out.append(
                [
                    str(t["node"])
                    for t in targets
                    if isinstance(t, dict) and t.get("node") in self.nodes
                ]
            )
        return out

    def regular(self, name: str) -> list[str]:
        ports = self.outputs(name)
        if self.error_output(name) and len(ports) >= 2:
            ports = ports[:-1]
        return [t for port in ports for t in port]

    def error_targets(self, name: str) -> list[str]:
        ports = self.outputs(name)
        return ports[-1] if self.error_output(name) and len(ports) >= 2 else []

    def error_output(self, name: str) -> bool:
        return self.nodes[name][1].get("onError") == "continueErrorOutput"

    def order(self) -> tuple[list[str], set[str]]:
        """Nodes along the regular connections from the starting nodes; the error-path nodes."""
        incoming = {t for name in self.nodes for t in self.regular(name)}
        errors = {t for name in self.nodes for t in self.error_targets(name)}
        starts = sorted(
            (n for n in self.nodes if n not in incoming and n not in errors),
            key=lambda n: (_position(self.nodes[n][1]), self.nodes[n][0]),
        )
        main = self.bfs(starts, set(), errors=False)
        error_path = set(self.bfs(sorted(errors), set(main)))
        loose = [n for n in self.nodes if n not in main and n not in error_path]
        return main + self.bfs(loose, set(main) | error_path, errors=False), error_path

    def bfs(self, roots: list[str], stop: set[str], errors: bool = True) -> list[str]:
        """Nodes reached from `roots` (through error outputs too, when `errors`)."""
        order: list[str] = []
        seen = set(stop)
        queue = deque(roots)
        while queue:
            name = queue.popleft()
            if name in seen:
                continue
            seen.add(name)
            order.append(name)
            queue.extend(self.regular(name) + (self.error_targets(name) if errors else []))
        return order

    # ---- reading ------------------------------------------------------------------------

    def read(self) -> None:
        main, _ = self.order()
        steps: dict[str, str] = {}  # node name -> step identity (its name)
        for name in main:
            index, node = self.nodes[name]
            step = self.step(name, index, node)
            if step is not None:
                self.c.steps.append(step)
                steps[name] = name
        for name in main:
            index, node = self.nodes[name]
            here = pointer("nodes", index)
            if name in steps:
                self.node_claims(name, node, here, set(main))
            self.helper_claims(name, node, here, steps)
        self.workflow_claims()

    def step(self, name: str, index: int, node: dict[str, object]) -> SchemaStep | None:
        kind = _suffix(str(node["type"]))
        params = _params(node)
        here = pointer("nodes", index)
        # the node's evidence is its name (one line to quote and to highlight), its pointer the
        # node's own
        named = self.c.span(f"{here}/name")
        span = Span(named.start, named.end, here)
        title = self.c.span(f"{here}/name", member=False)
        if kind in _WEBHOOKS:
            sender = self.resolver.webhook_sender("schema.n8n.webhook")
            return SchemaStep(
                name, "read", (sender,), span, title, "step.n8n.webhook", inbound=True
            )
        if kind in _SILENT_TRIGGERS or kind in _LOGIC:
            return None
        if kind.endswith("Trigger"):
            sender = self.resolver.resolve(kind[: -len("Trigger")], "schema.n8n.trigger")
            return SchemaStep(
                name, "read", (sender,), span, title, "step.n8n.trigger", inbound=True
            )
        info = self.service(str(node["type"]), kind, params)
        if info is None:
            return None
        action = self.action(kind, params, name)
        return SchemaStep(name, action, (info,), span, title, "step.n8n.node")

    def service(self, node_type: str, kind: str, params: dict[str, object]) -> ServiceInfo | None:
        if kind in _HTTP:
            url = params.get("url") or params.get("endpoint")
            text = url[1:] if isinstance(url, str) and url.startswith("=") else url
            return self.resolver.url(text if isinstance(text, str) else "", "schema.n8n.http")
        if node_type.startswith("@n8n/n8n-nodes-langchain."):
            for prefix in ("lmChat", "embeddings", "lm"):
                if kind.startswith(prefix) and len(kind) > len(prefix):
                    return self.resolver.resolve(kind[len(prefix) :], "schema.n8n.model")
            return None  # agents, chains, memories, parsers: the workflow's own logic
        if kind == "emailSend":
            return self.resolver.generic("SMTP server", "schema.n8n.node", "email")
        if kind.endswith("Tool") and len(kind) > 4:
            kind = kind[:-4]
        return self.resolver.resolve(kind, "schema.n8n.node")

    def action(self, kind: str, params: dict[str, object], name: str) -> ActionKind:
        if kind in _HTTP:
            method = params.get("method") or params.get("requestMethod") or "GET"
            return "read" if str(method).upper() in _READ_METHODS else "write"
        operation = params.get("operation")
        if operation == "executeQuery":
            query = str(params.get("query", "")).lstrip("= \n").lower()
            return "read" if query.startswith(("select", "with", "show")) else "write"
        if isinstance(operation, str):
            return "read" if common.reads(operation) else "write"
        return "read" if common.reads(name) else "write"

    # ---- what a step's node says --------------------------------------------------------

    def node_claims(self, name: str, node: dict[str, object], here: str, main: set[str]) -> None:
        scope = (name,)
        if node.get("retryOnFail") is True:
            self.retry(node, here, scope)
        if node.get("onError") == "continueRegularOutput":
            self.c.claim(K.SWALLOW, f"{here}/onError", "schema.n8n.continue_regular", scope)
        elif node.get("continueOnFail") is True:
            self.c.claim(K.SWALLOW, f"{here}/continueOnFail", "schema.n8n.continue_on_fail", scope)
        elif node.get("onError") == "continueErrorOutput":
            self.error_path(name, here, scope, main)
        self.idempotency(node, here, scope)
        self.credentials(node, here, scope)
        options = _params(node).get("options")
        if isinstance(options, dict):
            if options.get("timeout"):
                at = f"{here}/parameters/options/timeout"
                self.c.claim(K.TIMEOUT, at, "schema.n8n.timeout", scope)
            if isinstance(options.get("batching"), dict):
                at = f"{here}/parameters/options/batching"
                self.c.claim(K.THROTTLE_RATE, at, "schema.n8n.batching", scope)

    def retry(self, node: dict[str, object], here: str, scope: tuple[str, ...]) -> None:
        group = f"{here}/retry"
        tries = _number(node.get("maxTries"), 3.0)
        wait = _number(node.get("waitBetweenTries"), 1000.0) / 1000
        self.c.claim(
            K.RETRY, f"{here}/retryOnFail", "schema.n8n.retry", scope, group=group, value=tries
        )
        at = f"{here}/waitBetweenTries" if "waitBetweenTries" in node else f"{here}/retryOnFail"
        self.c.claim(
            K.RETRY_FIXED, at, "schema.n8n.retry.fixed_wait", scope, group=group, value=wait
        )
        at = f"{here}/maxTries" if "maxTries" in node else f"{here}/retryOnFail"
        self.c.claim(
            K.MAX_ATTEMPTS, at, "schema.n8n.retry.max_tries", scope, group=group, value=tries
        )

    def error_path(self, name: str, here: str, scope: tuple[str, ...], main: set[str]) -> None:
        path = [n for n in self.bfs(self.error_targets(name), set()) if n not in main]
        persists = compensates = alerts = stops = False
        for target in path:
            _, node = self.nodes[target]
            kind = _suffix(str(node["type"]))
            stops |= kind == "stopAndError"
            compensates |= common.mentions(target, common.COMPENSATION_WORDS)
            found = None if kind in _LOGIC else self.service(str(node["type"]), kind, _params(node))
            if found is None:
                continue
            info = found
            writes = self.action(kind, _params(node), target) == "write"
            stores = info.role == "datastore" or info.category in _STORE_CATEGORIES
            named = common.mentions(target, common.PARKING_WORDS)
            persists |= writes and (stores or named)
            alerts |= info.category in _ALERT_CATEGORIES or common.mentions(
                target, common.ALERT_WORDS
            )
        at = f"{here}/onError"
        group = f"{here}/onError"
        if persists:
            self.c.claim(K.TERMINAL_PATH, at, "schema.n8n.error_output.persist", scope, group=group)
        elif compensates:
            self.c.claim(
                K.COMPENSATION, at, "schema.n8n.error_output.compensate", scope, group=group
            )
        elif stops and not alerts:
            self.c.claim(K.TRY_CATCH, at, "schema.n8n.error_output.stop", scope, group=group)
        else:
            rule = "schema.n8n.error_output.drop" if path else "schema.n8n.error_output.unwired"
            self.c.claim(K.SWALLOW, at, rule, scope, group=group)
        if alerts:
            self.c.claim(K.ALERTING, at, "schema.n8n.error_output.alert", scope, group=group)

    def idempotency(self, node: dict[str, object], here: str, scope: tuple[str, ...]) -> None:
        params = _params(node)
        group = f"{here}/idempotency"
        operation = params.get("operation")
        if isinstance(operation, str) and (operation in _UPSERTS or "upsert" in operation.lower()):
            at = f"{here}/parameters/operation"
            self.c.claim(K.IDEMPOTENCY, at, "schema.n8n.upsert", scope, group=group)
        elif isinstance(operation, str) and operation.lower().startswith("update"):
            at = f"{here}/parameters/operation"
            self.c.claim(K.IDEMPOTENCY, at, "schema.n8n.update_by_id", scope, group=group)
        method = params.get("method")
        if _suffix(str(node["type"])) in _HTTP and str(method).upper() in ("PUT", "PATCH"):
            at = f"{here}/parameters/method"
            self.c.claim(K.IDEMPOTENCY, at, "schema.n8n.http_put", scope, group=group)
        query = params.get("query")
        if isinstance(query, str) and any(mark in query.lower() for mark in _SQL_UPSERT):
            at = f"{here}/parameters/query"
            self.c.claim(K.IDEMPOTENCY, at, "schema.n8n.sql_upsert", scope, group=group)
        for at, key, value in _named_values(params, f"{here}/parameters"):
            if common.key_name(key) in common.IDEMPOTENCY_KEYS and isinstance(value, str):
                changing = common.unstable(value) or "$execution" in value
                kind = K.UNSTABLE_KEY if changing else K.IDEMPOTENCY
                rule = "schema.n8n.unstable_key" if changing else "schema.n8n.idempotency_key"
                self.c.claim(kind, at, rule, scope, group=group)

    def credentials(self, node: dict[str, object], here: str, scope: tuple[str, ...]) -> None:
        group = f"{here}/credentials"
        stored = node.get("credentials")
        if isinstance(stored, dict) and stored:
            at = f"{here}/credentials"
            self.c.claim(K.VAULT, at, "schema.n8n.credential_store", scope, group=group)
            if any("oauth2" in str(kind).lower() for kind in stored):
                self.c.claim(K.ROTATION, at, "schema.n8n.oauth2_refresh", scope)
        for at, key, value in _named_values(_params(node), f"{here}/parameters"):
            if common.key_name(key) not in common.SECRET_KEYS or not isinstance(value, str):
                continue
            if "$secrets" in value:
                self.c.claim(K.VAULT, at, "schema.n8n.external_secret", scope, group=group)
            elif "$env" in value or "process.env" in value:
                self.c.claim(K.ENV_VAR, at, "schema.n8n.env", scope, group=group)
            elif common.literal_secret(_literal(value)):
                self.c.claim(K.HARDCODED, at, "schema.n8n.literal_credential", scope, group=group)

    # ---- nodes that are not steps, and the workflow's settings --------------------------

    def helper_claims(
        self, name: str, node: dict[str, object], here: str, steps: dict[str, str]
    ) -> None:
        kind = _suffix(str(node["type"]))
        params = _params(node)
        if kind == "removeDuplicates" and "previous" in str(params.get("operation", "")).lower():
            downstream = tuple(n for n in self.bfs(self.regular(name), {name}) if n in steps)
            if downstream:
                changing = common.unstable(params.get("dedupeValue"))
                claim = K.UNSTABLE_KEY if changing else K.IDEMPOTENCY
                self.c.claim(
                    claim, f"{here}/parameters/operation", "schema.n8n.dedupe_history", downstream
                )
        if kind == "wait":
            paced = tuple(n for n in self.regular(name) if n in steps)
            if paced:
                at = f"{here}/parameters/amount" if "amount" in params else here
                self.c.claim(K.THROTTLE_RATE, at, "schema.n8n.wait_pacing", paced)

    def workflow_claims(self) -> None:
        if self.settings.get("errorWorkflow"):
            self.c.claim(
                K.ERROR_HANDLING, "/settings/errorWorkflow", "schema.n8n.error_workflow", None
            )
        timeout = self.settings.get("executionTimeout")
        if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
            self.c.claim(
                K.TIMEOUT, "/settings/executionTimeout", "schema.n8n.execution_timeout", None
            )


def _params(node: dict[str, object]) -> dict[str, object]:
    params = node.get("parameters")
    return params if isinstance(params, dict) else {}


def _position(node: dict[str, object]) -> tuple[float, float]:
    position = node.get("position")
    if isinstance(position, list) and len(position) == 2:
        x, y = position
        if isinstance(x, int | float) and isinstance(y, int | float):
            return float(x), float(y)
    return 0.0, 0.0


def _number(value: object, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)


def _literal(value: str) -> str:
    """An n8n expression with no `{{ }}` is literal text: '=Bearer abc' is 'Bearer abc'."""
    return value[1:] if value.startswith("=") and "{{" not in value else value


def _named_values(params: dict[str, object], base: str) -> list[tuple[str, str, object]]:
    """(pointer, key, value) for plain keys and for n8n's `{name, value}` parameter lists."""
    out: list[tuple[str, str, object]] = []
    for at, key, value in walk(params, base):
        if isinstance(value, dict) and isinstance(value.get("name"), str) and "value" in value:
            out.append((f"{at}/value", str(value["name"]), value["value"]))
        elif not isinstance(value, dict | list):
            out.append((at, key, value))
    return out
