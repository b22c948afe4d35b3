"""Calls, try/except, retry loops and retry decorators in Python code (see `schemas.code`)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from workflow_prover.extract.services.catalog import ServiceInfo
from workflow_prover.models import ActionKind, ClaimKind
from workflow_prover.schemas import common
from workflow_prover.schemas.locate import Loc
from workflow_prover.schemas.model import Collector, SchemaStep
from workflow_prover.schemas.services import ServiceResolver

K = ClaimKind
Locate = Callable[..., Loc]  # (node, key node=None) -> its location
WRITE_VERBS = frozenset(
    {
        *("create", "insert", "update", "upsert", "send", "post", "put", "patch", "delete"),
        *("publish", "charge", "refund", "notify", "upload", "write", "save", "push"),
        *("enqueue", "execute", "executemany", "sync", "provision", "capture", "cancel"),
        *("remove", "set", "invoke", "trigger", "submit", "record", "emit", "load"),
    }
)
# Receivers that are the language or the workflow's own machinery, not a service.
_LOCAL = frozenset(
    {
        *("log", "logger", "logging", "print", "json", "os", "sys", "time", "math", "re"),
        *("datetime", "random", "uuid", "str", "dict", "list", "set", "tuple", "itertools"),
        *("functools", "collections", "asyncio", "pathlib", "typing", "dataclasses"),
        *("workflow", "activity", "np", "pd", "csv", "yaml", "hashlib", "base64", "copy"),
        *("string", "textwrap", "shutil", "glob", "io", "super", "threading", "queue"),
        *("argparse", "warnings", "traceback", "inspect", "operator", "contextlib", "tenacity"),
        *("backoff", "dag", "environ", "signal", "struct", "socket", "secrets"),
    }
)
_HTTP_CLIENTS = frozenset(("requests", "httpx", "aiohttp", "session", "http", "urllib3"))
_HTTP_METHODS = frozenset(("get", "post", "put", "patch", "delete", "head", "request", "options"))
_CLIENTS = ("client", "api", "sdk", "service", "conn", "db", "table", "repo", "bucket", "queue")
_SLEEPS = frozenset(("sleep",))
_RETRY_DECORATORS = frozenset(("retry", "on_exception", "on_predicate", "retryable", "retrying"))
_EXPONENTIAL = frozenset(
    ("wait_exponential", "wait_random_exponential", "wait_exponential_jitter", "expo")
)
_FIXED = frozenset(("wait_fixed", "wait_none", "constant", "wait_incrementing", "wait_random"))
_JITTERY = frozenset(("wait_random_exponential", "wait_exponential_jitter", "full_jitter"))
_ATTEMPTS = frozenset(("max_tries", "tries", "stop_max_attempt_number", "attempts", "max_attempts"))


# the words of a constant that say it holds a URL (`FRESHDESK_URL`, `INTERCOM_API_BASE`)
_URL_NAME_WORDS = frozenset(("url", "uri", "endpoint", "base", "host", "api", "webhook"))


@dataclass
class _Found:
    """What a block of statements holds: its steps' identities, and the calls it makes."""

    steps: list[str] = field(default_factory=list)
    calls: list[ast.Call] = field(default_factory=list)


class CodeReader:
    def __init__(self, c: Collector, resolver: ServiceResolver, locate: Locate) -> None:
        self.c = c
        self.resolver = resolver
        self.locate = locate
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.classes: set[str] = set()
        self.steps_in: dict[str, list[str]] = {}
        self.count = 0
        self.last_retry_loop: ast.stmt | None = None  # for what follows it (`parks`)
        self.given_up: tuple[str, tuple[str, ...]] | None = None  # a loop that may give up

    def read(self, tree: ast.Module) -> None:
        from workflow_prover.schemas.code_frameworks import Frameworks

        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions.setdefault(node.name, node)
            elif isinstance(node, ast.ClassDef):
                self.classes.add(node.name)
        self.block(tree.body, "module")
        Frameworks(self).read(tree)

    def at(self, pointer: str, node: ast.AST, key: ast.AST | None = None) -> str:
        """Register `node`'s location under `pointer` (the element the evidence is about)."""
        self.c.parsed.locs[pointer] = self.locate(node, key)
        return pointer

    # ---- statements ---------------------------------------------------------------------

    def block(self, statements: list[ast.stmt], where: str) -> _Found:
        found = _Found()
        retried: list[str] = []  # the steps of a retry loop just before
        for statement in statements:
            if retried and self.parks(statement, retried, where):
                retried = []
                self.given_up = None
                continue  # `failed_deliveries.insert(evt)` after the loop: its terminal path
            if retried and isinstance(statement, ast.Raise) and self.given_up is not None:
                at, scope = self.given_up
                # `raise GiveUp(payload)` after the attempts: the failure goes on up
                self.c.claim(K.TRY_CATCH, at, "schema.code.after_retries.raise", scope, group=at)
                self.given_up = None
            self._give_up()
            inner = self.statement(statement, where)
            found.steps += inner.steps
            found.calls += inner.calls
            retried = inner.steps if self.last_retry_loop is statement else []
        self._give_up()
        return found

    def _give_up(self) -> None:
        """A retry loop with no raise, followed by neither a raise nor a store, gives up
        silently once its attempts run out."""
        if self.given_up is not None:
            at, scope = self.given_up
            rule = "schema.code.retry_loop.gives_up"
            self.c.claim(K.SWALLOW, at, rule, scope, group=f"{at}/after")
            self.given_up = None

    def parks(self, statement: ast.stmt, steps: list[str], where: str) -> bool:
        """Does the statement after a retry loop store what still failed ('failed_deliveries.
        insert(evt)', 'dlq.publish(...)')? Then it is those steps' terminal path, no step."""
        calls = list(_calls(statement))
        names = [".".join(chain(c.func)) for c in calls]
        if not calls or not all(common.mentions(n, common.PARKING_WORDS) for n in names):
            return False
        self.count += 1
        at = self.at(f"/{where}/park/{self.count}", statement)
        self.c.claim(K.TERMINAL_PATH, at, "schema.code.after_retries.store", tuple(steps), group=at)
        return True

    def statement(self, statement: ast.stmt, where: str) -> _Found:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            found = self.block(statement.body, statement.name)
            self.steps_in[statement.name] = found.steps
            self.decorators(statement, found.steps)
            return _Found()
        if isinstance(statement, ast.ClassDef):
            self.block(statement.body, where)
            return _Found()
        if isinstance(statement, ast.Try):
            return self.guarded(statement, where)
        if isinstance(statement, ast.For | ast.AsyncFor | ast.While):
            return self.loop(statement, where)
        if isinstance(statement, ast.If | ast.With | ast.AsyncWith):
            found = self.block(statement.body, where)
            more = self.block(getattr(statement, "orelse", []), where)
            return _Found(found.steps + more.steps, found.calls + more.calls)
        found = _Found()
        for call in _calls(statement):
            found.calls.append(call)
            ident = self.call_step(call, where)
            if ident is not None:
                found.steps.append(ident)
        return found

    def call_step(self, call: ast.Call, where: str) -> str | None:
        """A step for a call on a service, or None."""
        read = self.call(call)
        if read is None:
            return None
        info, action = read
        self.count += 1
        ident = self.at(f"/{where}/calls/{self.count}", call)
        title = self.at(f"/{where}/calls/{self.count}/call", call.func)
        step = SchemaStep(
            ident, action, (info,), self.c.span(ident), self.c.span(title), "step.code"
        )
        self.c.steps.append(step)
        if action == "write":
            self.keys(call, ident)
            if _upsert(chain(call.func)[-1]):  # `netsuite.upsert_sales_order(external_id=...)`
                self.c.claim(K.IDEMPOTENCY, title, "schema.code.upsert", (ident,))
        return ident

    def keys(self, call: ast.Call, step: str) -> None:
        """`headers={'Idempotency-Key': order.id}`, `idempotency_key=...`,
        `params={'requestid': f'{inv.id}-{time.time()}'}`: the key a write sends, unstable
        when built from a clock, a UUID or a random number."""
        for key, value in _arguments(call):
            if common.key_name(key) not in common.IDEMPOTENCY_KEYS:
                continue
            at = self.at(f"{step}/{key}", value)
            kind = K.UNSTABLE_KEY if common.unstable(ast.unparse(value)) else K.IDEMPOTENCY
            self.c.claim(kind, at, f"schema.code.key.{kind.value}", (step,))

    def call(self, call: ast.Call) -> tuple[ServiceInfo, ActionKind] | None:
        names = chain(call.func)
        if len(names) < 2:
            return None
        method, receiver = names[-1], [n for n in names[:-1] if n not in ("self", "cls")]
        verb = (common.words(method) or [""])[0]
        if not receiver or receiver[0].lower() in _LOCAL:
            return None
        if receiver[0] in self.functions or receiver[0] in self.classes:
            return None  # `send_sms.submit(r)`: the workflow's own code, not a service
        if receiver[0].lower() in _HTTP_CLIENTS and method in _HTTP_METHODS:
            return self.http(call, method)
        if not (verb in common.READ_VERBS or verb in WRITE_VERBS) or _container_method(call, verb):
            return None
        if verb == "execute" and method not in ("execute", "executemany"):
            return None  # `client.execute_workflow(...)`: the engine, not a query
        if verb == "get" and not self._client(receiver):
            return None  # `payload.get("id")`: a mapping, not a service
        rule = "schema.code.service"
        text = " ".join(receiver)
        info = (
            self.resolver.mentioned(text.replace("_", " "), rule)
            or self._commented(call, rule)
            or self.resolver.unnamed(receiver[0], rule)
        )
        if verb in ("execute", "executemany"):
            return info, "read" if _selects(call) else "write"
        return info, "read" if verb in common.READ_VERBS else "write"

    def _commented(self, call: ast.Call, rule: str) -> ServiceInfo | None:
        """`helpdesk.create_ticket(external_id=evt.id)   # Gorgias`: a receiver the code
        names by its role is the product the comment at the end of its line names."""
        source = self.c.parsed.source
        start = self.locate(call, None).start
        end = source.find("\n", start)
        line = source[start : end if end >= 0 else len(source)]
        hash_at = line.find("#")
        if hash_at < 0:
            return None
        found = self.resolver.mentioned(line[hash_at + 1 :], rule)
        return found if found is not None and not found.generic else None

    def http(self, call: ast.Call, method: str) -> tuple[ServiceInfo, ActionKind]:
        url = _string(call.args[0]) if call.args else None
        for keyword in call.keywords:
            if keyword.arg == "url":
                url = _string(keyword.value)
        rule = "schema.code.http"
        if url:
            info = self.resolver.url(url, rule)
        else:
            info = self._named_endpoint(call, rule) or self.resolver.generic("HTTP endpoint", rule)
        if method == "request" and call.args:
            method = (_string(call.args[0]) or "post").lower()
        return info, "read" if method in ("get", "head", "options") else "write"

    def _named_endpoint(self, call: ast.Call, rule: str) -> ServiceInfo | None:
        """`requests.post(FRESHDESK_URL, ...)`, `session.get(settings.INTERCOM_API_URL)`: a
        constant named for the endpoint names its service (the words before URL / ENDPOINT)."""
        arg = call.args[0] if call.args else None
        name = ""
        if isinstance(arg, ast.Name):
            name = arg.id
        elif isinstance(arg, ast.Attribute):
            name = arg.attr
        words = [w for w in name.lower().split("_") if w and w not in _URL_NAME_WORDS]
        if not words or len(words) == len(name.split("_")):
            return None  # no URL word: `requests.post(payload)` names nothing
        return self.resolver.mentioned(" ".join(words), rule)

    def _client(self, receiver: list[str]) -> bool:
        text = " ".join(receiver).replace("_", " ")
        if self.resolver.mentioned(text, "schema.code.service") is not None:
            return True
        return any(part in name.lower() for name in receiver for part in _CLIENTS)

    # ---- try/except ---------------------------------------------------------------------

    def guarded(self, statement: ast.Try, where: str, retried: bool = False) -> _Found:
        found = self.block(statement.body, where)
        rest = self.block(statement.orelse + statement.finalbody, where)
        if found.steps:
            for handler in statement.handlers:
                self.handler(handler, found, where, retried)
        return _Found(found.steps + rest.steps, found.calls + rest.calls)

    def handler(self, handler: ast.ExceptHandler, tried: _Found, where: str, retried: bool) -> None:
        """What an `except` does with the failure of the steps tried before it."""
        scope = tuple(tried.steps)
        self.count += 1
        at = self.at(f"/{where}/except/{self.count}", handler)
        calls = [c for s in handler.body for c in _calls(s)]
        names = [".".join(chain(c.func)) for c in calls]
        again = {".".join(chain(c.func)) for c in tried.calls} & set(names)
        raises = any(isinstance(n, ast.Raise) for s in handler.body for n in ast.walk(s))
        stores = any(common.mentions(n, common.PARKING_WORDS) for n in names)
        alerts = any(common.mentions(n, common.ALERT_WORDS) for n in names)
        rule = "schema.code.except"
        if stores:
            self.c.claim(K.TERMINAL_PATH, at, f"{rule}.store", scope, group=at)
        elif again:
            for kind in (K.RETRY, K.RETRY_IMMEDIATE, K.TRY_CATCH):
                self.c.claim(kind, at, f"{rule}.call_again", scope, group=at)
        elif raises:
            self.c.claim(K.TRY_CATCH, at, f"{rule}.reraise", scope, group=at)
        elif not retried:
            self.c.claim(K.SWALLOW, at, f"{rule}.swallow", scope, group=at)
        if alerts:
            self.c.claim(K.ALERTING, at, f"{rule}.alert", scope, group=at)
        if any(_logs(n) for n in names):
            self.c.claim(K.LOGGING, at, f"{rule}.log", scope, group=at)

    # ---- retries ------------------------------------------------------------------------

    def loop(self, statement: ast.For | ast.AsyncFor | ast.While, where: str) -> _Found:
        head = self.header(statement, where)  # `for x in a.list():` reads a
        tries = [s for s in statement.body if isinstance(s, ast.Try)]
        attempts = _attempts(statement)
        if not tries or attempts is None or not any(_exits(t) for t in tries):
            found = self.block(statement.body, where)
            more = self.block(statement.orelse, where)
            return _Found(
                head.steps + found.steps + more.steps, head.calls + found.calls + more.calls
            )
        found = _Found()
        for s in statement.body:
            inner = (
                self.guarded(s, where, retried=True)
                if isinstance(s, ast.Try)
                else self.statement(s, where)
            )
            found.steps += inner.steps
            found.calls += inner.calls
        if found.steps:
            self.retry_loop(statement, found.steps, attempts, where)
            self.last_retry_loop = statement
        return found

    def header(self, loop: ast.For | ast.AsyncFor | ast.While, where: str) -> _Found:
        """The calls of a loop's iterable or condition."""
        found = _Found()
        expression = loop.test if isinstance(loop, ast.While) else loop.iter
        for call in _calls(expression):
            found.calls.append(call)
            ident = self.call_step(call, where)
            if ident is not None:
                found.steps.append(ident)
        return found

    def retry_loop(self, loop: ast.stmt, steps: list[str], attempts: float, where: str) -> None:
        """`for attempt in range(5): try ... except: sleep(2 ** attempt)`."""
        self.count += 1
        at = self.at(f"/{where}/retry/{self.count}", loop)
        scope, rule = tuple(steps), "schema.code.retry_loop"
        self.c.claim(K.RETRY, at, rule, scope, group=at)
        if attempts > 0:
            self.c.claim(K.MAX_ATTEMPTS, at, rule, scope, group=at, value=attempts)
        else:
            self.c.claim(K.UNBOUNDED, at, rule, scope, group=at)
        sleeps = [c for c in _calls(loop) if chain(c.func)[-1:] == ["sleep"] and c.args]
        kind = K.RETRY_IMMEDIATE if not sleeps else _pace(sleeps[0].args[0], loop)
        self.c.claim(kind, at, f"{rule}.{kind.value}", scope, group=at)
        if sleeps and any(
            "random" in chain(n.func) or "uniform" in chain(n.func) for n in _calls(sleeps[0])
        ):
            self.c.claim(K.JITTER, at, f"{rule}.jitter", scope, group=at)
        if not any(isinstance(n, ast.Raise) for n in ast.walk(loop)):
            self.given_up = (at, scope)  # decided by what follows the loop (`block`)

    def decorators(
        self, function: ast.FunctionDef | ast.AsyncFunctionDef, steps: list[str]
    ) -> None:
        for decorator in function.decorator_list:
            names = chain(decorator.func if isinstance(decorator, ast.Call) else decorator)
            if not names or (
                names[-1] not in _RETRY_DECORATORS
                and names[0] not in ("tenacity", "backoff", "stamina")
            ):
                continue
            if steps:
                self.retry_decorator(decorator, function.name, steps)

    def retry_decorator(self, decorator: ast.expr, function: str, steps: list[str]) -> None:
        self.count += 1
        at = self.at(f"/{function}/decorator/{self.count}", decorator)
        scope, rule = tuple(steps), "schema.code.retry_decorator"
        words = {n for node in ast.walk(decorator) for n in _names(node)}
        self.c.claim(K.RETRY, at, rule, scope, group=at)
        if words & _EXPONENTIAL:
            self.c.claim(K.BACKOFF_EXPONENTIAL, at, f"{rule}.exponential", scope, group=at)
        elif words & _FIXED:
            self.c.claim(K.RETRY_FIXED, at, f"{rule}.fixed", scope, group=at)
        elif "on_exception" not in words and "on_predicate" not in words:
            self.c.claim(K.RETRY_IMMEDIATE, at, f"{rule}.no_wait", scope, group=at)
        if words & _JITTERY or {"on_exception", "on_predicate"} & words:
            self.c.claim(
                K.JITTER, at, f"{rule}.jitter", scope, group=at
            )  # backoff's default: full jitter
        bounded = words & ({"stop_after_attempt", "stop_after_delay", "max_time"} | _ATTEMPTS)
        if bounded:
            self.c.claim(K.MAX_ATTEMPTS, at, f"{rule}.stop", scope, group=at)
        else:
            self.c.claim(K.UNBOUNDED, at, f"{rule}.never_stops", scope, group=at)


# ---- helpers ---------------------------------------------------------------------------


def _arguments(call: ast.Call) -> Iterator[tuple[str, ast.expr]]:
    """Keyword arguments, and the string-keyed entries of dict literals passed to the call."""
    for keyword in call.keywords:
        if keyword.arg is not None:
            yield keyword.arg, keyword.value
        if isinstance(keyword.value, ast.Dict):
            for k, v in zip(keyword.value.keys, keyword.value.values, strict=True):
                name = _string(k) if k is not None else None
                if name is not None:
                    yield name, v


def chain(node: ast.AST) -> list[str]:
    """`stripe.Charge.list` -> ['stripe', 'Charge', 'list']; [] for calls on call results."""
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
        return names[::-1]
    return []


def _upsert(method: str) -> bool:
    """Is the method an upsert by its name ('upsert_sales_order', 'createOrUpdate')?"""
    squashed = method.lower().replace("_", "")
    return squashed.startswith(("upsert", "createorupdate", "insertorupdate"))


def _calls(node: ast.AST) -> Iterator[ast.Call]:
    """The calls of a statement, not those of functions or lambdas defined inside it."""
    stack = [node]
    while stack:
        item = stack.pop()
        scope = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
        if isinstance(item, scope) and item is not node:
            continue
        if isinstance(item, ast.Call):
            yield item
        stack.extend(reversed(list(ast.iter_child_nodes(item))))


def _names(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Attribute):
        yield node.attr
    elif isinstance(node, ast.keyword) and node.arg:
        yield node.arg


def _string(node: ast.expr) -> str | None:
    """A string literal, or the literal head of an f-string (`f"https://api.x.com/{id}"`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        head = node.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return head.value
    return None


def _container_method(call: ast.Call, verb: str) -> bool:
    """`items.insert(0, x)`, `state.update({...})`, `seen.add(x)`: a Python container's own."""
    first = call.args[0] if call.args else None
    if verb == "insert" and isinstance(first, ast.Constant) and isinstance(first.value, int):
        return True
    return verb in ("update", "set") and isinstance(first, ast.Dict)


def _selects(call: ast.Call) -> bool:
    query = _string(call.args[0]) if call.args else None
    return bool(query) and query.lstrip().lower().startswith(("select", "with", "show"))  # type: ignore[union-attr]


def _logs(name: str) -> bool:
    parts = name.lower().split(".")
    return parts[0] in ("log", "logger", "logging", "print") or parts[-1] in (
        "exception",
        "error",
        "warning",
    )


def _attempts(loop: ast.For | ast.AsyncFor | ast.While) -> float | None:
    """How many times a loop may try: N for `range(N)`, 0 (unbounded) for `while`, else None."""
    if isinstance(loop, ast.While):
        return 0.0
    target = loop.iter
    if isinstance(target, ast.Call) and chain(target.func) == ["range"] and target.args:
        last = target.args[-1] if len(target.args) <= 2 else target.args[1]
        if isinstance(last, ast.Constant) and isinstance(last.value, int):
            return float(last.value)
        return 1.0
    return None


def _exits(statement: ast.Try) -> bool:
    """Does the try leave the loop when the call succeeds (`break` / `return`)?"""
    body = statement.body + statement.orelse
    return any(isinstance(n, ast.Break | ast.Return) for s in body for n in ast.walk(s))


def _pace(delay: ast.expr, loop: ast.stmt) -> ClaimKind:
    """Exponential when the delay grows by a power or is doubled each time, else fixed."""
    if any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) for n in ast.walk(delay)):
        return K.BACKOFF_EXPONENTIAL
    names = {n.id for n in ast.walk(delay) if isinstance(n, ast.Name)}
    for node in ast.walk(loop):
        if not isinstance(node, ast.AugAssign) or not isinstance(node.op, ast.Mult):
            continue
        if isinstance(node.target, ast.Name) and node.target.id in names:
            return K.BACKOFF_EXPONENTIAL
    return K.RETRY_FIXED
