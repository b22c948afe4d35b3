"""n8n workflow exports -> steps, services and claims.

- The graph is the workflow (`n8n_graph`): nodes are steps along the `connections`, from the
  trigger; a trigger connected to nothing starts nothing and is no step; disabled nodes are
  links, not steps; empty or broken connections are reported with their pointer.
- A node is a step when it calls a service: the node type names it (`n8n-nodes-base.slack` is
  Slack, `awsSqs` Amazon SQS, an HTTP Request node its URL's host); the `operation` (or its
  default, `lexicons/n8n_nodes.jsonl`, when the export omits it) or the HTTP method says read
  or write; lookups (`get`, `getAll`, `search`, enrich, verify) read. A webhook node is an
  inbound receive, a `<service>Trigger` node receives from that service; schedules, manual
  triggers and logic nodes (Set, IF, Code, Merge...) do no external work.
- `retryOnFail` retries after a fixed wait (`waitBetweenTries`, default 1 s), `maxTries` times
  (default 3). `onError: continueRegularOutput` (and `continueOnFail`) swallows the error;
  `continueErrorOutput` sends it down the error output, whose nodes are the failure path, not
  steps: terminal when one of them stores the item, try/catch when it only stops the run,
  swallowing when it only notifies or goes nowhere. `settings.errorWorkflow` is failure handling
  of some kind; the export does not show whether the error workflow stores the item.
- Credentials: n8n's own credential store is not a vault (the rubric counts a platform's store
  only when a secret manager backs it, as with Kubernetes secrets): `{{ $secrets... }}` (n8n's
  external secrets) is; `{{ $env... }}` is an environment variable; a value typed into a header,
  a parameter, the URL's query or a Set node it takes it from is hard-coded (a blank to fill in
  as well). OAuth2 credentials refresh their tokens (rotation). A GET with no authentication,
  no credential and no credential in its parameters needs none.
- Idempotency: upserts (`upsert`, `appendOrUpdate`, SQL `ON CONFLICT`), updates of a record by
  its id, HTTP PUT/PATCH, `Idempotency-Key` headers, and the patterns of `n8n_patterns`
  (check before create, a Redis guard, the Remove Duplicates node); a key built from `$now`, a
  UUID or `$execution.id` is unstable.
- Sticky notes are prose about the workflow: the prose reader reads them for their claims.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from workflow_prover.extract.services.catalog import ServiceInfo
from workflow_prover.models import ActionKind, ClaimKind
from workflow_prover.schemas import common
from workflow_prover.schemas.detect import Parsed
from workflow_prover.schemas.model import Collector, SchemaDoc, SchemaStep, Span, walk
from workflow_prover.schemas.n8n_graph import Graph, Node, suffix
from workflow_prover.schemas.n8n_patterns import Patterns, referenced_fields, set_fields
from workflow_prover.schemas.services import ServiceResolver

K = ClaimKind
FORMAT = "n8n"
_LOGIC = frozenset(
    {
        *("set", "if", "switch", "merge", "code", "function", "functionItem", "noOp", "wait"),
        *("splitInBatches", "itemLists", "filter", "stickyNote", "respondToWebhook"),
        *("stopAndError", "dateTime", "crypto", "html", "xml", "markdown", "aggregate"),
        *("splitOut", "sort", "limit", "removeDuplicates", "compareDatasets", "renameKeys"),
        *("summarize", "executeWorkflow", "moveBinaryData", "convertToFile", "extractFromFile"),
        *("spreadsheetFile", "editImage", "debugHelper", "executionData", "form"),
        *("noOperation", "splitOutItems", "totp"),
    }
)
_SILENT_TRIGGERS = frozenset(
    {
        *("scheduleTrigger", "cron", "interval", "manualTrigger", "start", "errorTrigger"),
        *("executeWorkflowTrigger", "n8nTrigger", "workflowTrigger", "localFileTrigger"),
    }
)
_WEBHOOKS = frozenset(("webhook", "formTrigger", "chatTrigger"))
_HTTP = frozenset(("httpRequest", "httpRequestTool", "graphql", "toolHttpRequest"))
_READ_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
_UPSERTS = frozenset(("upsert", "appendOrUpdate", "createOrUpdate", "upsertRow"))
_SQL_UPSERT = ("on conflict", "on duplicate key", "merge into", "where not exists")
_STORE_CATEGORIES = frozenset(("storage", "productivity"))
_ALERT_CATEGORIES = frozenset(("chat", "email", "sms", "incident"))
_NO_AUTH = ("", "none")


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


class _Reader:
    def __init__(self, workflow: dict[str, object], c: Collector, resolver: ServiceResolver):
        self.c = c
        self.resolver = resolver
        self.graph = Graph(workflow)
        self.set_fields = set_fields(self.graph)
        settings = workflow.get("settings")
        self.settings = settings if isinstance(settings, dict) else {}

    def read(self) -> None:
        main, _ = self.graph.order()
        steps: dict[str, SchemaStep] = {}
        for name in main:
            step = self.step(name) if self.graph.enabled(name) else None
            if step is not None:
                self.c.steps.append(step)
                steps[name] = step
        for at, message in self.graph.problems(list(steps)):
            self.c.issue(at, message, "SCHEMA_GRAPH_INCOMPLETE")
        for name in steps:
            self.node_claims(name, self.graph.node(name), self.graph.here(name), set(main))
        Patterns(self.c, self.graph, steps).read()
        self.workflow_claims()
        self.sticky_notes()

    # ---- a node as a step ---------------------------------------------------------------

    def step(self, name: str) -> SchemaStep | None:
        node = self.graph.node(name)
        kind, params, here = suffix(str(node["type"])), _params(node), self.graph.here(name)
        # the evidence is the node's name (one line to quote), its pointer the node's own
        named = self.c.span(f"{here}/name")
        span, title = Span(named.start, named.end, here), self.c.span(f"{here}/name", member=False)
        if kind in _SILENT_TRIGGERS or kind in _LOGIC:
            return None
        known = self.resolver.vocabulary.node_defaults(kind, _version(node))
        inbound = kind in _WEBHOOKS or kind.endswith("Trigger") or bool(known and known.inbound)
        if inbound and not self.graph.regular(name):
            message = "this trigger is connected to nothing: it starts no step"
            self.c.issue(here, message, "SCHEMA_GRAPH_INCOMPLETE")
            return None
        if kind in _WEBHOOKS:
            sender = self.resolver.webhook_sender("schema.n8n.webhook")
            return SchemaStep(name, "read", (sender,), span, title, "step.n8n.webhook", True)
        if inbound:
            source = known.service if known and known.service else kind.removesuffix("Trigger")
            sender = self.resolver.resolve(source, "schema.n8n.trigger")
            return SchemaStep(name, "read", (sender,), span, title, "step.n8n.trigger", True)
        info = self.service(str(node["type"]), kind, params)
        if info is None:
            return None
        return SchemaStep(name, self.action(node, name), (info,), span, title, "step.n8n.node")

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

    def operation(self, node: Node) -> str | None:
        """The node's operation, or the node type's default when the export omits it."""
        params = _params(node)
        operation = params.get("operation")
        if isinstance(operation, str):
            return operation
        defaults = self.resolver.vocabulary.node_defaults(suffix(str(node["type"])), _version(node))
        if defaults is None:
            return None
        resource = params.get("resource", defaults.resource)
        return defaults.operations.get(resource if isinstance(resource, str) else "")

    def action(self, node: Node, name: str) -> ActionKind:
        kind, params = suffix(str(node["type"])), _params(node)
        if kind in _HTTP:
            method = params.get("method") or params.get("requestMethod") or "GET"
            return "read" if str(method).upper() in _READ_METHODS else "write"
        operation = self.operation(node)
        if operation == "executeQuery":
            query = str(params.get("query", "")).lstrip("= \n").lower()
            return "read" if query.startswith(("select", "with", "show")) else "write"
        if operation is not None:
            return "read" if common.reads(operation) else "write"
        return "read" if common.reads(name) else "write"

    # ---- what a step's node says --------------------------------------------------------

    def node_claims(self, name: str, node: Node, here: str, main: set[str]) -> None:
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
                self.c.claim(
                    K.TIMEOUT, f"{here}/parameters/options/timeout", "schema.n8n.timeout", scope
                )
            if isinstance(options.get("batching"), dict):
                at = f"{here}/parameters/options/batching"
                self.c.claim(K.THROTTLE_RATE, at, "schema.n8n.batching", scope)

    def retry(self, node: Node, here: str, scope: tuple[str, ...]) -> None:
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
        path = [n for n in self.graph.bfs(self.graph.error_targets(name), set()) if n not in main]
        persists = compensates = alerts = stops = False
        for target in path:
            node = self.graph.node(target)
            kind = suffix(str(node["type"]))
            stops |= kind == "stopAndError"
            compensates |= common.mentions(target, common.COMPENSATION_WORDS)
            found = None if kind in _LOGIC else self.service(str(node["type"]), kind, _params(node))
            if found is None:
                continue
            writes = self.action(node, target) == "write"
            stores = found.role == "datastore" or found.category in _STORE_CATEGORIES
            persists |= writes and (stores or common.mentions(target, common.PARKING_WORDS))
            alerts |= found.category in _ALERT_CATEGORIES or common.mentions(
                target, common.ALERT_WORDS
            )
        at = group = f"{here}/onError"
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

    def idempotency(self, node: Node, here: str, scope: tuple[str, ...]) -> None:
        params = _params(node)
        group = f"{here}/idempotency"
        operation = self.operation(node)
        at_op = f"{here}/parameters/operation" if "operation" in params else f"{here}/type"
        if isinstance(operation, str) and (operation in _UPSERTS or "upsert" in operation.lower()):
            self.c.claim(K.IDEMPOTENCY, at_op, "schema.n8n.upsert", scope, group=group)
        elif isinstance(operation, str) and operation.lower().startswith("update"):
            self.c.claim(K.IDEMPOTENCY, at_op, "schema.n8n.update_by_id", scope, group=group)
        elif operation == "set" and self._category(node) == "cache":
            self.c.claim(K.IDEMPOTENCY, at_op, "schema.n8n.cache_set", scope, group=group)
        method = params.get("method")
        if suffix(str(node["type"])) in _HTTP and str(method).upper() in ("PUT", "PATCH"):
            self.c.claim(
                K.IDEMPOTENCY,
                f"{here}/parameters/method",
                "schema.n8n.http_put",
                scope,
                group=group,
            )
        query = params.get("query")
        if isinstance(query, str) and any(mark in query.lower() for mark in _SQL_UPSERT):
            self.c.claim(
                K.IDEMPOTENCY,
                f"{here}/parameters/query",
                "schema.n8n.sql_upsert",
                scope,
                group=group,
            )
        for at, key, value in _named_values(params, f"{here}/parameters"):
            if common.key_name(key) in common.IDEMPOTENCY_KEYS and isinstance(value, str):
                changing = common.unstable(value) or "$execution" in value
                kind = K.UNSTABLE_KEY if changing else K.IDEMPOTENCY
                rule = "schema.n8n.unstable_key" if changing else "schema.n8n.idempotency_key"
                self.c.claim(kind, at, rule, scope, group=group)

    def _category(self, node: Node) -> str:
        kind = suffix(str(node["type"]))
        info = self.service(str(node["type"]), kind, _params(node))
        return info.category if info is not None else ""

    def credentials(self, node: Node, here: str, scope: tuple[str, ...]) -> None:
        group = f"{here}/credentials"
        stored = node.get("credentials")
        if isinstance(stored, dict) and any("oauth2" in str(kind).lower() for kind in stored):
            self.c.claim(K.ROTATION, f"{here}/credentials", "schema.n8n.oauth2_refresh", scope)
        typed = False
        for at, value in self._credential_values(node, here):
            fields = [f for f in referenced_fields(value) if f in self.set_fields]
            if fields:  # typed into a Set node earlier in the workflow
                at_set = self.set_fields[fields[0]]
                rule = "schema.n8n.set_node_credential"
                self.c.claim(K.HARDCODED, at_set, rule, scope, group=group)
            elif "$secrets" in value:
                self.c.claim(K.VAULT, at, "schema.n8n.external_secret", scope, group=group)
            elif "$env" in value or "process.env" in value:
                self.c.claim(K.ENV_VAR, at, "schema.n8n.env", scope, group=group)
            elif common.written_in(_literal(value)):
                self.c.claim(K.HARDCODED, at, "schema.n8n.literal_credential", scope, group=group)
            typed = True
        if not typed and not stored and self._public_get(node):
            at = f"{here}/parameters/url" if "url" in _params(node) else here
            self.c.claim(K.NO_CREDENTIAL, at, "schema.n8n.public_get", scope)

    def _credential_values(self, node: Node, here: str) -> list[tuple[str, str]]:
        """(pointer, value) of the node's parameters (and URL query) that hold a credential."""
        out: list[tuple[str, str]] = []
        for at, key, value in _named_values(_params(node), f"{here}/parameters"):
            if isinstance(value, str) and common.key_name(key) in common.SECRET_KEYS:
                out.append((at, value))
        url = _params(node).get("url")
        if isinstance(url, str) and "?" in url:
            query = urlsplit(_literal(url).strip()).query
            for key, value in parse_qsl(query, keep_blank_values=True):
                if common.key_name(key) in common.SECRET_KEYS and value:
                    out.append((f"{here}/parameters/url", value))
        return out

    def _public_get(self, node: Node) -> bool:
        params = _params(node)
        if suffix(str(node["type"])) not in _HTTP:
            return False
        method = str(params.get("method") or params.get("requestMethod") or "GET").upper()
        auth = str(params.get("authentication") or "").strip().lower()
        return method in _READ_METHODS and auth in _NO_AUTH

    # ---- the workflow as a whole --------------------------------------------------------

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

    def sticky_notes(self) -> None:
        for name in self.graph.nodes:
            node = self.graph.node(name)
            if suffix(str(node["type"])) == "stickyNote" and self.graph.enabled(name):
                self.c.read_as_prose(f"{self.graph.here(name)}/parameters/content")


def _params(node: Node) -> dict[str, object]:
    params = node.get("parameters")
    return params if isinstance(params, dict) else {}


def _version(node: Node) -> float:
    version = node.get("typeVersion")
    return float(version) if isinstance(version, int | float) else 1.0


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
