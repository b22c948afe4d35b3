"""Patterns across n8n nodes: what several nodes together make of a step.

- Check before create: a write that creates on a service, reached from an IF/Switch/Filter that
  tests the output of a lookup on the same service (search -> IF -> create), is de-duplicated
  on what it looked up. So is one whose checked source record is marked after the create (the
  record's external id written back to the service that was read: a processed marker).
- A cache (Redis) `get` before a write and a `set` after it is a processed-events set (with a
  retention when the `set` expires); a cache `set` is itself an overwrite by key.
- A value typed into a Set node (`apiKey = "..."`) that a later node sends as a credential
  (`Authorization: Bearer {{ $json.apiKey }}`) is hard-coded in that node (`set_fields`).
- A Wait node right before a call paces it; the Remove Duplicates node's history of previous
  executions de-duplicates the writes after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from workflow_prover.models import ClaimKind
from workflow_prover.schemas import common
from workflow_prover.schemas.model import Collector, SchemaStep, walk
from workflow_prover.schemas.n8n_graph import Graph, Node, suffix

K = ClaimKind
_CONDITIONS = frozenset(("if", "switch", "filter"))
_CREATES = ("create", "add", "insert", "append", "post", "send", "new")
_MARKS = ("update", "set", "patch", "upsert")
# An IF that asks whether the lookup found something (its operation, or a comparison with []).
_EXISTENCE = re.compile(r"isempty|isnotempty|notempty|\bempty\b|exists|isnull|^\[\]$", re.I | re.M)
_READ_OPS = frozenset(("get", "exists", "keys"))
# Words of a node's name, resource or path that name no kind of record.
_NOT_RECORDS = frozenset(
    {
        *common.READ_VERBS,
        *("create", "add", "insert", "append", "post", "put", "patch", "send", "new", "update"),
        *("upsert", "write", "delete", "the", "and", "for", "from", "with", "into", "http"),
        *("request", "node", "api", "data", "item", "record", "exist", "doe", "not", "all"),
        *("company", "search", "query"),
    }
)
_WRITE_OPS = frozenset(("set", "incr", "push"))


class Patterns:
    def __init__(self, c: Collector, graph: Graph, steps: dict[str, SchemaStep]) -> None:
        self.c = c
        self.graph = graph
        self.steps = steps
        self._checks: dict[str, list[tuple[str, str]]] | None = None

    def read(self) -> None:
        for name, step in self.steps.items():
            if step.action == "write" and not step.inbound:
                self.check_before_create(name, step)
                self.cache_guard(name, step)
        for name in self.graph.nodes:
            if self.graph.enabled(name):
                self.helper(name)

    # ---- de-duplication -----------------------------------------------------------------

    def check_before_create(self, name: str, step: SchemaStep) -> None:
        if not self._creates(name):
            return
        service = _service(step)
        for check in (n for n in self.graph.upstream(name) if n in self._lookups()):
            for read, looked in self._lookups()[check]:
                if not self._same_record(read, name):
                    continue
                if looked == service:
                    rule = "schema.n8n.check_before_create"
                elif self._marked(name, looked) and _EXISTENCE.search(self._text(check)):
                    rule = "schema.n8n.check_then_mark"
                else:
                    continue
                here = self.graph.here(check)
                conditions = "conditions" in _params(self.graph.node(check))
                at = f"{here}/parameters/conditions" if conditions else f"{here}/name"
                group = f"{self.graph.here(name)}/idempotency"
                self.c.claim(K.IDEMPOTENCY, at, rule, (name,), group=group)
                return

    def _lookups(self) -> dict[str, list[tuple[str, str]]]:
        """Each IF/Switch/Filter -> the lookups (node, service) above it whose output it tests."""
        if self._checks is None:
            self._checks = {}
            for check in self.graph.nodes:
                if suffix(self._type(check)) not in _CONDITIONS:
                    continue
                tested = self._tested(check)
                self._checks[check] = [
                    (read, _service(self.steps[read]))
                    for read in self.graph.upstream(check)
                    if read in tested
                    and read in self.steps
                    and self.steps[read].action == "read"
                    and not self.steps[read].inbound
                ]
        return self._checks

    def _creates(self, name: str) -> bool:
        """Does the write create a record (not update or upsert one)?"""
        params = _params(self.graph.node(name))
        operation = str(params.get("operation") or params.get("method") or "")
        operation = operation or str(params.get("requestMethod") or "")
        first = (common.words(operation) or common.words(name) or [""])[0]
        return first in _CREATES

    def _same_record(self, read: str, write: str) -> bool:
        """Do the lookup and the create name the same kind of record (customer, ticket)?"""
        return bool(self._records(read) & self._records(write))

    def _records(self, name: str) -> set[str]:
        node = self.graph.node(name)
        params = _params(node)
        text = " ".join((name, str(params.get("resource", "")), _path(params.get("url"))))
        service = set(common.words(_service(self.steps[name])))
        nouns = {w.removesuffix("s") for w in common.words(text) if len(w) > 2}
        return nouns - service - _NOT_RECORDS

    def _tested(self, check: str) -> set[str]:
        """The nodes whose output an IF tests: the one right before it (`$json`), any named."""
        text = self._text(check)
        named = {n for n in self.graph.nodes if f'"{n}"' in text or f"'{n}'" in text}
        if "$json" in text or "$input" in text:
            feeding = [n for n in self.graph.nodes if check in self.graph.regular(n)]
            for node in feeding:  # through logic nodes (Set, Merge) to the lookup
                named |= {node} if node in self.steps else set(self._through_logic(node))
        return named

    def _through_logic(self, name: str) -> Iterator[str]:
        """The nodes above a logic node, nearest first, up to the first step."""
        for node in self.graph.upstream(name):
            yield node
            if node in self.steps:
                return

    def _marked(self, name: str, source: str) -> bool:
        """Is the record that was checked marked after the create (a write-back)?"""
        for later in self.graph.downstream(name):
            step = self.steps.get(later)
            if step is not None and step.action == "write" and _service(step) == source:
                operation = str(_params(self.graph.node(later)).get("operation", "")).lower()
                if operation.startswith(_MARKS) or common.words(later)[:1] == ["update"]:
                    return True
        return False

    def cache_guard(self, name: str, step: SchemaStep) -> None:
        if step.services[0].category == "cache":
            return
        gets = [n for n in self.graph.upstream(name) if self._cache_op(n) in _READ_OPS]
        sets = [n for n in self.graph.downstream(name) if self._cache_op(n) in _WRITE_OPS]
        if not gets or not sets:
            return
        at = f"{self.graph.here(gets[0])}/parameters/operation"
        self.c.claim(K.IDEMPOTENCY_STORE, at, "schema.n8n.cache_guard", (name,))
        stored = _params(self.graph.node(sets[0]))
        if stored.get("expire") is True or stored.get("ttl"):
            at_ttl = f"{self.graph.here(sets[0])}/parameters"
            self.c.claim(K.KEY_RETENTION, at_ttl, "schema.n8n.cache_ttl", (name,))

    def _cache_op(self, name: str) -> str:
        step = self.steps.get(name)
        if step is None or step.services[0].category != "cache":
            return ""
        return str(_params(self.graph.node(name)).get("operation", "")).lower()

    # ---- nodes that are not steps -------------------------------------------------------

    def helper(self, name: str) -> None:
        node = self.graph.node(name)
        kind, params, here = suffix(self._type(name)), _params(node), self.graph.here(name)
        if kind == "removeDuplicates" and "previous" in str(params.get("operation", "")).lower():
            after = tuple(n for n in self.graph.downstream(name) if n in self.steps)
            if after:
                claim = (
                    K.UNSTABLE_KEY if common.unstable(params.get("dedupeValue")) else K.IDEMPOTENCY
                )
                at = f"{here}/parameters/operation"
                self.c.claim(claim, at, "schema.n8n.dedupe_history", after)
        if kind == "wait":
            paced = tuple(n for n in self.graph.regular(name) if n in self.steps)
            if paced:
                at = f"{here}/parameters/amount" if "amount" in params else here
                self.c.claim(K.THROTTLE_RATE, at, "schema.n8n.wait_pacing", paced)

    def _type(self, name: str) -> str:
        return str(self.graph.node(name)["type"])

    def _text(self, name: str) -> str:
        """Every string a node's parameters hold, one per line (expressions included)."""
        values = walk(_params(self.graph.node(name)), "")
        return "\n".join(v for _, _, v in values if isinstance(v, str))


def set_fields(graph: Graph) -> dict[str, str]:
    """Fields that enabled Set nodes assign a literal value: name -> the value's pointer."""
    out: dict[str, str] = {}
    for name, (index, node) in graph.nodes.items():
        if suffix(str(node["type"])) == "set" and graph.enabled(name):
            for at, field, value in _assignments(_params(node), f"/nodes/{index}/parameters"):
                if common.written_in(value):
                    out.setdefault(field, at)
    return out


def referenced_fields(expression: str) -> list[str]:
    """Item fields an n8n expression reads: `$json.apiKey`, `json["apiKey"]`."""
    return _FIELD.findall(expression) if "{{" in expression else []


_FIELD = re.compile(r"""json(?:\.|\[\s*["'])([A-Za-z0-9_]+)""")


def _assignments(params: dict[str, object], base: str) -> Iterator[tuple[str, str, object]]:
    """A Set node's fields: `values.string[]` (v1-2) and `assignments.assignments[]` (v3)."""
    values = params.get("values")
    for kind, items in values.items() if isinstance(values, dict) else ():
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                yield f"{base}/values/{kind}/{i}/value", str(item["name"]), item.get("value")
    holder = params.get("assignments")
    items = holder.get("assignments") if isinstance(holder, dict) else None
    for i, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            at = f"{base}/assignments/assignments/{i}/value"
            yield at, str(item["name"]), item.get("value")


def _path(url: object) -> str:
    """The literal path of a URL (`/v1/customers/search` -> `v1 customers search`)."""
    if not isinstance(url, str):
        return ""
    head = re.split(r"\{\{|\?", url.lstrip("="), maxsplit=1)[0]
    path = head.split("://", 1)[-1].partition("/")[2]
    return " ".join(part for part in path.split("/") if not any(c.isdigit() for c in part))


def _service(step: SchemaStep) -> str:
    return step.services[0].name


def _params(node: Node) -> dict[str, object]:
    params = node.get("parameters")
    return params if isinstance(params, dict) else {}
