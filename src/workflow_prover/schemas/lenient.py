"""Any JSON/YAML mapping that sketches a workflow: read exactly what can be, the rest as prose.

People paste their own structure (`steps:`, `tasks:`, `jobs:`...). This reader takes such a
document when it has a step list, after the formats the Prover knows have declined it; a
mapping with no step list is left to the prose reader, as before. So is a text that only looks
like YAML (a key with spaces in it, `open question: ...`, is a sentence, not a key).

- A step list (`lexicons/schema_keys.jsonl`, role `step_list`) is a list, or a mapping of
  named items; an item that holds a step list of its own (a CI job's `steps`) is a container,
  its other keys about the steps inside it. A document that is one mapping holding the
  workflow (`pipeline: {trigger: ..., steps: [...]}`) is read inside it.
- An item written entirely as structure is a step when it names a service: a service key
  (`service`, `target`, `api`, `url`...), a dotted key or value (`postgres.insert: rollouts`,
  `call: easypost.shipments.create`), a verb key whose value names one (`send: ses`), a `run:`
  command that calls `curl`/`wget`. The action: an action key, the verb (`get`, `list` read; a
  call whose action is not said writes, rubric 1). Its mechanism keys are claims on it.
- Any other item (written as a sentence, or with a comment) is left, where it is, to the prose
  reader, steps and all: it read such sketches well before this reader existed.
- Mechanism keys outside the items (`retry`, `on_failure`, `dedupe_key`, `secrets`...) are
  claims on every step (`keys`); keyed by service names, on that service's steps.
- Sentences given as values and comments (`# NetSuite rejects a duplicate externalId`) are read
  by the prose reader for their claims; a trailing `# TODO` / `# later` makes its key's claim
  planned instead.
- `trigger: webhook from X` (a webhook, a queue or a stream) is an inbound receive from X.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from workflow_prover.extract.services.catalog import ServiceInfo
from workflow_prover.models import ActionKind, ClaimKind
from workflow_prover.schemas import common
from workflow_prover.schemas.detect import Parsed
from workflow_prover.schemas.keys import KeyReader, sentence
from workflow_prover.schemas.model import (
    Collector,
    ProseSpan,
    SchemaDoc,
    SchemaStep,
    Span,
    pointer,
)
from workflow_prover.schemas.services import ServiceResolver
from workflow_prover.schemas.vocabulary import Vocabulary

FORMAT = "lenient"
_RULE = "schema.lenient"
# words a secret's key ends in that say what kind of credential it is, not whose
_CREDENTIAL_WORDS = frozenset(
    (
        *("api", "key", "keys", "token", "tokens", "secret", "secrets", "password", "pass"),
        *("pwd", "creds", "credentials", "auth", "pat", "client", "id", "private", "access"),
        "bearer",
    )
)
_WRITE_VERBS = frozenset(
    {
        *("create", "insert", "update", "upsert", "send", "post", "put", "patch", "publish"),
        *("write", "store", "save", "charge", "refund", "notify", "upload", "delete", "sync"),
        *("push", "enqueue", "invoke", "provision", "record", "set"),
    }
)
_INBOUND = re.compile(r"\b(?:webhooks?|queues?|messages?|events?|topics?|subscri\w*)\b", re.I)
_INBOUND_CATEGORIES = frozenset(("queue", "stream", "webhook"))
_RECEIVE_ACTIONS = frozenset(("receive", "receives", "consume", "consumes", "listen", "subscribe"))
_HTTP_COMMAND = re.compile(r"\b(?:curl|wget|httpie)\s", re.IGNORECASE)
_AWS_CLI = re.compile(r"\baws\s+([a-z0-9-]+)\s+([a-z][a-z0-9-]*)")  # aws <service> <command>
_AWS_CLI_SERVICES = {"s3api": "s3", "stepfunctions": "step functions", "logs": "cloudwatch logs"}
_HTTP_WRITE = re.compile(r"-X\s*(?:POST|PUT|PATCH|DELETE)|--data|\s-d\s|--request\s+(?:POST|PUT)")
_URL = re.compile(r"https?://[^\s'\"]+")
# `call: GET https://api.notion.com/v1/...`: an HTTP method and the URL it is sent to
_HTTP_CALL = re.compile(r"^\s*(GET|POST|PUT|PATCH|DELETE)\s+https?://", re.IGNORECASE)
_DOTTED = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+(?:\(.*\))?$")
_STEP_FIELDS = frozenset(("service", "action", "name"))


def read(parsed: Parsed, resolver: ServiceResolver) -> SchemaDoc | None:
    value = parsed.value
    if not isinstance(value, dict) or (not parsed.block.declared and _prose_like(value)):
        return None
    collector = Collector(parsed)
    if not _Reader(collector, resolver).read(value, ""):
        return None
    return collector.doc(FORMAT)


def _prose_like(value: dict[object, object]) -> bool:
    """A text that parses as YAML by accident: a top-level key that is a phrase."""
    return any(" " in str(key).strip() for key in value)


class _Reader:
    def __init__(self, c: Collector, resolver: ServiceResolver) -> None:
        self.c = c
        self.resolver = resolver
        self.vocabulary = resolver.vocabulary
        self.found = 0  # steps, and items left to the prose reader
        self.keys = KeyReader(c, self.vocabulary, _RULE, self.service_name)

    def read(self, doc: dict[str, object], at: str) -> bool:
        rest: dict[str, object] = {}
        for key, value in doc.items():
            role = self._role(str(key))
            here = f"{at}/{pointer(str(key))[1:]}"
            if role == "step_list":
                self.items(value, here)
            elif role == "trigger":
                self.trigger(value, here)
            else:
                rest[str(key)] = value
        if not self.found:
            inner = [(k, v) for k, v in rest.items() if isinstance(v, dict)]
            return len(inner) == 1 and self.read(inner[0][1], f"{at}/{pointer(inner[0][0])[1:]}")
        self.keys.mapping(rest, at, None)
        self.finish()
        return True

    def finish(self) -> None:
        for at in self.keys.prose:
            self.c.read_as_prose(at, member=True)
        for start, end in comments(self.c, self.vocabulary):
            self.c.prose.append(ProseSpan(start, end))

    # ---- steps --------------------------------------------------------------------------

    def items(self, value: object, at: str) -> None:
        if isinstance(value, list):
            for i, item in enumerate(value):
                self.item(item, f"{at}/{i}", None)
        elif isinstance(value, dict):
            for name, item in value.items():
                self.item(item, f"{at}/{pointer(str(name))[1:]}", str(name))

    def item(self, item: object, at: str, name: str | None) -> None:
        if isinstance(item, dict):
            lists = [k for k in item if self._role(str(k)) == "step_list"]
            if lists:
                self.container(item, at, lists)
                return
        if isinstance(item, str) and self.dotted_item(item, at):
            return  # `steps = ["adyen.refund", "netsuite.credit_memo.create"]`
        call = self.call(item) if isinstance(item, dict) else None
        exact = isinstance(item, dict) and self.exact(item, at)
        if call is not None and not exact and call[0].generic and self.worded(item, at):
            call = None  # a sentence about a service the Prover does not know: prose's to read
        if call is None:
            if isinstance(item, str | dict) and item:
                self.found += 1
                self.c.read_as_prose(at, steps=True, member=name is not None)
            return
        assert isinstance(item, dict)
        info, action = call
        ident = self.step_name(item) or name or at
        span, title = self.c.span(at, member=False), self.title(item, at, name)
        received = self.receives(item)
        if received and self.received_from(info):
            # `trigger: stripe webhook ...` then `{do: receive, service: stripe}`: one delivery
            self.found += 1
            return
        rule = "step.lenient.receive" if received else "step.lenient"
        self.c.steps.append(SchemaStep(ident, action, (info,), span, title, rule, received))
        self.found += 1
        upsert = self.upsert_action(item)
        if upsert is not None:  # `action: upsert`: an upsert writes once per key (README)
            self.c.claim(
                ClaimKind.IDEMPOTENCY,
                f"{at}/{pointer(upsert)[1:]}",
                "schema.lenient.upsert",
                (ident,),
            )
        if not exact:  # `create_ticket: Jira, JQL search on fault_id first`: its claims
            self.c.read_as_prose(at, member=name is not None)
        fields = {k: v for k, v in item.items() if not self._step_field(str(k))}
        self.keys.mapping(fields, at, (ident,))

    def dotted_item(self, item: str, at: str) -> bool:
        """A step given as a dotted call alone (`sendgrid.mail.send`): the service its head
        names, read or written as its last part says. False when the head names no service."""
        head, tail = _dotted(item)
        info = self.service(head) if head else None
        if info is None or info.generic:
            return False
        action: ActionKind = "read" if common.reads(tail) else "write"
        span = self.c.span(at, member=False)
        found = self.c.parsed.source.find(item, span.start, span.end)
        if at not in self.c.parsed.locs and found >= 0:  # (TOML: no place for a list item)
            span = Span(found, found + len(item), at)
        self.c.steps.append(SchemaStep(item, action, (info,), span, span, "step.lenient"))
        self.found += 1
        return True

    def container(self, item: dict[str, object], at: str, lists: list[str]) -> None:
        """A CI job: its step lists, and its other keys about the steps in it."""
        before = len(self.c.steps)
        for key in lists:
            self.items(item[key], f"{at}/{pointer(str(key))[1:]}")
        inside = tuple(s.ident for s in self.c.steps[before:]) or None
        self.keys.mapping({k: v for k, v in item.items() if k not in lists}, at, inside)

    def received_from(self, info: ServiceInfo) -> bool:
        """Is a delivery from this service already a step?"""
        return any(s.inbound and [i.name for i in s.services] == [info.name] for s in self.c.steps)

    def receives(self, item: dict[str, object]) -> bool:
        """`{"do": "receive", "service": "stripe"}`: an item whose action is a delivery to us."""
        return any(
            self._role(str(key)) == "action"
            and isinstance(value, str)
            and value.strip().lower() in _RECEIVE_ACTIONS
            for key, value in item.items()
        )

    def upsert_action(self, item: dict[str, object]) -> str | None:
        """The action key whose value is an upsert (`action: upsert`, `op: merge`), if any."""
        for key, value in item.items():
            if self._role(str(key)) == "action" and isinstance(value, str):
                word = value.lower().replace("_", "").replace("-", "")
                if word.startswith(_UPSERT_ACTIONS):
                    return str(key)
                url = _URL.search(value) if _HTTP_CALL.match(value) else None
                # `call: POST https://api.hubapi.com/crm/v3/objects/contacts/batch/upsert`
                path = url.group(0).split("?")[0].rstrip("/").lower() if url else ""
                if path and path.rsplit("/", 1)[-1].replace("-", "") in _UPSERT_ACTIONS:
                    return str(key)
        return None

    def worded(self, item: object, at: str) -> bool:
        """Does a field of the item hold a sentence (not only a comment beside a value)?
        `target = "google_merchant_api"  # products.insert ...` is structure with a note."""
        return any(sentence(value) for _, _, value in _leaves(item, at))

    def exact(self, item: dict[str, object], at: str) -> bool:
        """Is the item written as structure: its own fields no sentence, no comment in it but a
        marker? (A mechanism's value may be a sentence: the key says what it is.)"""
        for ptr, _, value in _leaves(item, at):
            key = ptr.split("/")[len(at.split("/"))]
            if sentence(value) and self.vocabulary.mechanism(key.replace("~1", "/")) is None:
                return False
            comment = self.c.comment(ptr)
            if comment and self.vocabulary.comment_modality(comment) is None:
                return False
        return True

    def call(self, item: dict[str, object]) -> tuple[ServiceInfo, ActionKind] | None:
        """The service an item calls and whether it reads or writes, or None."""
        verb: str | None = None
        info: ServiceInfo | None = None
        source = False  # `source = "bigquery"`: the step reads the system it names
        for key, value in item.items():
            role, text = self._role(str(key)), value if isinstance(value, str) else ""
            if role == "action" and text and _HTTP_CALL.match(text):
                verb = verb or text.split()[0].lower()  # GET reads; POST, PUT ... write
                info = info or self.service(text)
            elif role == "action" and text:
                head, tail = _dotted(text)
                verb = verb or tail or text
                info = info or (self.service(head) if head else self.shell(text))
            elif role == "service" and text:
                source = source or (info is None and self.resolver.reads_from(str(key)))
                info = info or self.service(text)
            elif role == "" and _dotted(str(key))[0]:
                head, tail = _dotted(str(key))
                info, verb = info or self.service(head), verb or tail
            elif role == "" and self._verb(str(key)):
                verb = verb or str(key)
                head, tail = _dotted(text)
                info = info or (self.service(head or text) if text else None)
        if info is None:
            return None
        if isinstance(verb, str) and _HTTP_COMMAND.search(verb):
            return info, "write" if _HTTP_WRITE.search(verb) else "read"
        cli = _AWS_CLI.search(verb) if isinstance(verb, str) else None
        if cli is not None:  # `aws dynamodb scan ...` reads, `aws s3api put-object` writes
            return info, "read" if common.reads(cli.group(2).replace("-", " ")) else "write"
        if verb is None:  # `name = "read_catalog"`, `source = ...`: read, not a write
            name = self.step_name(item)
            return info, "read" if source or (name and common.reads(name)) else "write"
        return info, "read" if common.reads(verb) else "write"

    def service(self, text: str) -> ServiceInfo | None:
        rule = "schema.lenient.service"
        url = _URL.search(text)
        if url is not None:
            return self.resolver.url(url.group(0), rule)
        found = self.resolver.mentioned(text.replace("_", " ").replace(".", " "), rule)
        if found is not None:
            return found
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{1,40}", text.strip()):
            return self.resolver.unnamed(text.strip(), rule)
        return None

    def shell(self, command: str) -> ServiceInfo | None:
        """`curl https://api.x.com/... -X POST`: an HTTP call to the URL's host; `aws
        dynamodb scan ...`: a call to the service the AWS CLI names."""
        cli = _AWS_CLI.search(command)
        if cli is not None:
            name = _AWS_CLI_SERVICES.get(cli.group(1), cli.group(1))
            return self.resolver.mentioned(name, "schema.lenient.aws_cli")
        if not _HTTP_COMMAND.search(command):
            return None
        url = _URL.search(command)
        rule = "schema.lenient.shell"
        if url is None:
            return self.resolver.generic("HTTP endpoint", rule)
        return self.resolver.url(url.group(0), rule)

    def trigger(self, value: object, at: str) -> None:
        text = " ".join(s for _, _, s in _leaves(value, at) if isinstance(s, str))
        text += " " + self.c.comment(at)
        sender = self.resolver.mentioned(text, "schema.lenient.trigger")
        inbound = _INBOUND.search(text) or (sender and sender.category in _INBOUND_CATEGORIES)
        if not inbound:
            return
        info = sender or self.resolver.webhook_sender("schema.lenient.trigger")
        if self.received_from(info):
            return  # the step list's own `{do: receive, service: ...}` is this delivery
        span = self.c.span(at)
        rule = "step.lenient.trigger"
        self.c.steps.append(SchemaStep("trigger", "read", (info,), span, span, rule, True))
        if sentence(value):
            self.c.read_as_prose(at, member=True)

    # ---- helpers ------------------------------------------------------------------------

    def service_name(self, key: str) -> str | None:
        """The service a key names: a lexicon name (`stripe`), or, once the words that only
        say what kind of credential it is are dropped (`sendgrid_api_key`,
        `billing_svc_token`), a lexicon name or the name of a service a step uses."""
        known = self.resolver.named(key, "schema.lenient.scope")
        if known is not None:
            return known.name if known.role != "secrets" else None
        words = [w for w in re.split(r"[\s_.\-/]+", key.lower()) if w]
        while words and words[-1] in _CREDENTIAL_WORDS:
            words.pop()
        stem = "".join(words)
        if len(stem) < 3:
            return None
        known = self.resolver.named("_".join(words), "schema.lenient.scope")
        if known is not None:
            return known.name if known.role != "secrets" else None
        used = {i.name for step in self.c.steps for i in step.services if i.role != "secrets"}
        return next((n for n in sorted(used) if _squashed(n).startswith(stem)), None)

    def step_name(self, item: dict[str, object]) -> str | None:
        for key, value in item.items():
            if self._role(str(key)) == "name" and isinstance(value, str):
                return value
        return None

    def title(self, item: dict[str, object], at: str, name: str | None) -> Span:
        """The step's text: its name, else its service, its action, or its first line."""
        for role in ("name", "service", "action"):
            for key, value in item.items():
                if self._role(str(key)) == role and isinstance(value, str):
                    return self.c.span(f"{at}/{pointer(str(key))[1:]}", member=False)
        if name is not None:
            return self.c.key_span(at)
        first = next(iter(item), None)
        if first is None:
            return self.c.span(at)
        return self.c.line_span(f"{at}/{pointer(str(first))[1:]}")

    def _role(self, key: str) -> str:
        found = self.vocabulary.role(key)
        return found[0] if found else ""

    def _step_field(self, key: str) -> bool:
        return self._role(key) in _STEP_FIELDS or bool(_dotted(key)[0]) or self._verb(key)

    def _verb(self, key: str) -> bool:
        word = (common.words(key) or [""])[0]
        return word in common.READ_VERBS or word in _WRITE_VERBS


_UPSERT_ACTIONS = ("upsert", "merge", "createorupdate", "appendorupdate", "insertorupdate")


def _dotted(text: str) -> tuple[str, str]:
    """`stripe.charges.list(...)` -> ('stripe', 'list'); ('', '') for anything else."""
    text = text.strip()
    if not _DOTTED.match(text):
        return "", ""
    parts = text.split("(", 1)[0].split(".")
    return parts[0], parts[-1]


def _leaves(value: object, at: str) -> Iterator[tuple[str, str, object]]:
    """(pointer, key, value) of every scalar under `value` (and `value` itself if scalar)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{at}/{pointer(str(key))[1:]}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{at}/{i}")
    else:
        yield at, at.rsplit("/", 1)[-1], value


_COMMENT = re.compile(r"(?:^|(?<=\s))#(?!\{)[^\n]*", re.MULTILINE)


def comments(c: Collector, vocabulary: Vocabulary) -> Iterator[tuple[int, int]]:
    """The YAML and TOML comments of the block that are not a `# TODO`-like marker of a key's value
    (a comment on a line of its own is prose, whatever it says)."""
    block = c.parsed.block
    if block.syntax not in ("yaml", "toml"):  # both comment with '#'
        return
    text = c.parsed.source
    for match in _COMMENT.finditer(text, block.start, block.end):
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[line_start : match.start()]
        if before.count('"') % 2 or before.count("'") % 2:
            continue  # inside a quoted string
        marker = bool(before.strip()) and vocabulary.comment_modality(match.group(0)) is not None
        if not marker:
            yield match.start() + 1, match.end()


def _squashed(name: str) -> str:
    """'billing-svc.internal' as 'billingsvcinternal': a name compared letters only."""
    return "".join(ch for ch in name.lower() if ch.isalnum())
