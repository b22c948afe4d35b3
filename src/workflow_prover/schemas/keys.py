"""Claims read from key names: what `retry`, `on_failure`, `dedupe_key` or `secrets` say.

Used by the lenient reader (any JSON/YAML mapping), by the Prover's schema for the keys it does
not consume, and by the code reader for keyword arguments. A key's role comes from
`lexicons/schema_keys.jsonl`; its value says how:

- a word the lexicon knows (`exponential`, `dlq`, `log`, `vault`, `env`) names the claim;
  `null`, `~`, `false`, `""`, `0`, `none` say there is none (a negated claim), and a trailing
  comment such as `# TODO`, `# later` or `# not designed yet` makes the claim planned (so it
  does not count);
- a number is an attempt count, a coefficient (above 1: exponential), a rate, a timeout;
- a mapping is read key by key (`retry: {backoff: exponential, max_attempts: 5}`); a mapping
  keyed by service names (`secrets: {stripe: vault, crm: env}`, `rate_limits: {servicenow: 20
  rps}`) scopes each value to the steps on that service; a list is read item by item;
- a sentence (`on_exhausted: insert the job into rollout_failed`) is also left to the prose
  reader (`prose`), which reads it for its claims; the key still says what it can (failure
  handling of some kind exists).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from workflow_prover.models import ClaimKind, Modality
from workflow_prover.schemas import common
from workflow_prover.schemas.model import Collector, pointer
from workflow_prover.schemas.vocabulary import Vocabulary

K = ClaimKind
# a value that names an environment variable instead of holding the secret
_ENV_REFERENCE = re.compile(
    r"^\s*(?:env[:.]|\$\{?[A-Z_][A-Z0-9_]*\}?\s*$|process\.env\.|os\.environ|getenv\()"
)
Scope = tuple[str, ...] | None  # step identities; None: every step
Named = Callable[[str], str | None]  # a key -> the service it names (None: not a service)
_OFF: tuple[object, ...] = (None, False, "", 0, [], {})
_UNLIMITED = re.compile(r"^(?:unlimited|forever|infinite|until it works|-1)$", re.IGNORECASE)
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*$")
_CODE = re.compile(r"\$\{\{|\{\{|\$\(|`|\s--?[A-Za-z]\b|\s--[a-z]")
_WORD = re.compile(r"(?<![\w.{$])[A-Za-z][a-z]+(?![\w(])")  # a word, not code
_URL = re.compile(r"https?://\S+")
_DIRECT = {
    "dlq": K.TERMINAL_PATH,
    "alerting": K.ALERTING,
    "replay": K.REPLAY,
    "rotation": K.ROTATION,
    "timeout": K.TIMEOUT,
    "rate": K.THROTTLE_RATE,
    "concurrency": K.THROTTLE_CONCURRENCY,
    "jitter": K.JITTER,
}
_RETRY_KINDS = frozenset((K.BACKOFF_EXPONENTIAL, K.RETRY_FIXED, K.RETRY_IMMEDIATE, K.RETRY))
_FAILURE_KINDS = frozenset(
    (K.TERMINAL_PATH, K.SWALLOW, K.ALERTING, K.COMPENSATION, K.NO_HANDLING, K.RETRY)
)
_CREDENTIAL_KINDS = frozenset((K.VAULT, K.WORKLOAD_IDENTITY, K.ENV_VAR, K.HARDCODED))


def sentence(value: object) -> bool:
    """A value written as prose ("insert the job into rollout_failed"), not a name, a code or a
    shell command (`curl ${{ secrets.URL }} -X POST`)."""
    if not isinstance(value, str) or _CODE.search(value):
        return False
    # "POST https://api.x.io/crm/v3/objects/contacts/batch/upsert": a URL's path is no prose
    return len(_WORD.findall(_URL.sub(" ", value))) >= 3


class KeyReader:
    """Turns mechanism keys into claims on a collector; `prose` lists the members whose value
    is a sentence, for the prose reader."""

    def __init__(
        self, c: Collector, vocabulary: Vocabulary, rule: str, named: Named | None = None
    ) -> None:
        self.c = c
        self.rule = rule  # the rule prefix: schema.lenient, schema.prover.unread, schema.code
        self.vocabulary = vocabulary
        self.named = named or (lambda _: None)
        self.prose: list[str] = []  # members with a sentence, for the prose reader
        self.services: tuple[str, ...] = ()  # while reading a per-service mapping

    # ---- a mapping ----------------------------------------------------------------------

    def mapping(self, value: dict[str, object], at: str, scope: Scope) -> None:
        """Every mechanism key of `value` (nested mappings too), with `scope`."""
        delays: list[str] = []
        for key, item in value.items():
            here = f"{at}/{pointer(str(key))[1:]}"
            kind = self.vocabulary.mechanism(str(key))
            if kind is None and scope is not None and _id_key(str(key), item):
                kind = "idempotency"  # {"action": "refund", "key": "{{ request.id }}"}
            if kind == "delay" and self._kind(item) is K.BACKOFF_EXPONENTIAL:
                self.mechanism("strategy", item, here, scope, group=at)  # exponential_backoff()
            elif kind == "delay":
                delays.append(here)
            elif kind is not None:
                self.mechanism(kind, item, here, scope, group=at)
            elif isinstance(item, dict):
                self.mapping(item, here, scope)
            elif sentence(item):
                self.prose.append(here)
        if delays and self._retried(at) and not self._exponential(at):
            self.claim(K.RETRY_FIXED, delays[0], "retry.delay", scope, group=at)

    def mechanism(self, kind: str, value: object, at: str, scope: Scope, group: str = "") -> None:
        """The claim(s) a mechanism key of `kind` with `value` makes."""
        group = group or at
        modality = self.modality(at, value)
        if isinstance(value, dict) and self._by_service(value):
            self.per_service(kind, value, at, scope)
            return
        if isinstance(value, dict) and kind in ("retry", "failure_path", "idempotency"):
            self.nested(kind, value, at, scope, modality)
            return
        if isinstance(value, dict) and kind == "credentials":
            for key, item in value.items():  # {source: vault, rotation: 30d}
                inner = self.vocabulary.mechanism(str(key))
                here = f"{at}/{pointer(str(key))[1:]}"
                self.mechanism(inner if inner in ("rotation",) else kind, item, here, scope)
            return
        if isinstance(value, list):
            for i, item in enumerate(value):
                self.mechanism(kind, item, f"{at}/{i}", scope, group=group)
            return
        if sentence(value):
            self.prose.append(at)
        read = getattr(self, f"_{kind}", None)
        if read is not None:
            read(value, at, scope, group, modality)
        elif kind in _DIRECT:
            off = value in _OFF or self._claim_word(value) == "negated"
            state: Modality = "negated" if off else modality
            self.claim(_DIRECT[kind], at, kind, scope, group=group, modality=state)

    def nested(
        self, kind: str, value: dict[str, object], at: str, scope: Scope, modality: Modality
    ) -> None:
        if kind == "retry":
            self.claim(K.RETRY, at, "retry", scope, group=at, modality=modality)
        self.mapping(value, at, scope)
        if kind in ("failure_path", "idempotency"):
            texts = [v for v in value.values() if isinstance(v, str)]
            reader = self._failure_path if kind == "failure_path" else self._idempotency
            for text in texts[:1]:
                reader(text, at, scope, at, modality)

    def _by_service(self, value: dict[str, object]) -> bool:
        return bool(value) and all(self.named(str(key)) is not None for key in value)

    def per_service(self, kind: str, value: dict[str, object], at: str, scope: Scope) -> None:
        """`secrets: {stripe: vault, crm: env}`: each value about its service's steps."""
        outer = self.services
        for key, item in value.items():
            self.services = (str(self.named(str(key))),)
            self.mechanism(kind, item, f"{at}/{pointer(str(key))[1:]}", None)
        self.services = outer

    # ---- by kind ------------------------------------------------------------------------

    def _retry(self, value: object, at: str, scope: Scope, group: str, modality: Modality) -> None:
        if value in _OFF or self._claim_word(value) == "negated":
            self.claim(K.RETRY, at, "retry.none", scope, group=group, modality="negated")
            return
        self.claim(K.RETRY, at, "retry", scope, group=group, modality=modality)
        count = _count(value)
        if count is not None:
            self.claim(K.MAX_ATTEMPTS, at, "retry.attempts", scope, group=group, value=count)
        kind = self._kind(value)
        if kind in _RETRY_KINDS - {K.RETRY}:
            self.claim(kind, at, f"retry.{kind.value}", scope, group=group, modality=modality)

    def _strategy(
        self, value: object, at: str, scope: Scope, group: str, modality: Modality
    ) -> None:
        kind = self._kind(value)
        if kind in _RETRY_KINDS - {K.RETRY}:
            self.claim(kind, at, f"retry.{kind.value}", scope, group=group, modality=modality)
        elif value in _OFF or self._claim_word(value) == "negated":
            self.claim(K.RETRY, at, "retry.none", scope, group=group, modality="negated")

    def _coefficient(
        self, value: object, at: str, scope: Scope, group: str, modality: Modality
    ) -> None:
        rate = _count(value)
        if rate is not None:
            kind = K.BACKOFF_EXPONENTIAL if rate > 1 else K.RETRY_FIXED
            self.claim(
                kind, at, "retry.coefficient", scope, group=group, modality=modality, value=rate
            )

    def _attempts(
        self, value: object, at: str, scope: Scope, group: str, modality: Modality
    ) -> None:
        if isinstance(value, str) and _UNLIMITED.match(value.strip()):
            self.claim(K.UNBOUNDED, at, "retry.unlimited", scope, group=group, modality=modality)
            return
        count = _count(value)
        if count is None:
            return
        if count <= 0:
            self.claim(K.RETRY, at, "retry.none", scope, group=group, modality="negated")
            return
        self.claim(K.RETRY, at, "retry.attempts", scope, group=group, modality=modality)
        self.claim(K.MAX_ATTEMPTS, at, "retry.attempts", scope, group=group, value=count)

    def _exponential_flag(
        self, value: object, at: str, scope: Scope, group: str, modality: Modality
    ) -> None:
        if value not in _OFF and self._claim_word(value) != "negated":
            self.claim(
                K.BACKOFF_EXPONENTIAL,
                at,
                "retry.exponential",
                scope,
                group=group,
                modality=modality,
            )

    def _failure_path(
        self, value: object, at: str, scope: Scope, group: str, modality: Modality
    ) -> None:
        if value in _OFF or self._claim_word(value) == "negated":
            for rival in (K.TERMINAL_PATH, K.COMPENSATION):
                self.claim(rival, at, "failure.none", scope, group=group, modality="negated")
            return
        kind = self._kind(value)
        if kind is not None and kind in _FAILURE_KINDS:
            self.claim(kind, at, f"failure.{kind.value}", scope, group=group, modality=modality)
        else:
            self.claim(K.ERROR_HANDLING, at, "failure.said", scope, group=group, modality=modality)

    def _idempotency(
        self, value: object, at: str, scope: Scope, group: str, modality: Modality
    ) -> None:
        if value in _OFF or self._claim_word(value) == "negated":
            self.claim(
                K.IDEMPOTENCY, at, "idempotency.none", scope, group=group, modality="negated"
            )
            return
        unstable = common.unstable(value)
        kind = K.UNSTABLE_KEY if unstable else K.IDEMPOTENCY
        self.claim(kind, at, f"idempotency.{kind.value}", scope, group=group, modality=modality)

    def _credentials(
        self, value: object, at: str, scope: Scope, group: str, modality: Modality
    ) -> None:
        kind = self._kind(value)
        key = common.key_name(at.rsplit("/", 1)[-1])
        if kind in _CREDENTIAL_KINDS:
            self.claim(kind, at, f"credentials.{kind.value}", scope, group=group, modality=modality)
        elif isinstance(value, str) and (key in _ENV_KEYS or _ENV_REFERENCE.match(value)):
            # `onfleet = { env = "ONFLEET_API_KEY" }`: the name of an environment variable;
            # `sendgrid_api_key: env:SENDGRID_API_KEY`, `${SENDGRID_API_KEY}`: a reference to one
            self.claim(K.ENV_VAR, at, "credentials.env", scope, group=group, modality=modality)
        elif isinstance(value, str) and not sentence(value) and common.literal_secret(value):
            self.claim(
                K.HARDCODED, at, "credentials.literal", scope, group=group, modality=modality
            )
        if sentence(value):
            self.prose.append(at)

    # ---- helpers ------------------------------------------------------------------------

    def claim(
        self,
        kind: ClaimKind,
        at: str,
        rule: str,
        scope: Scope,
        *,
        group: str = "",
        modality: Modality = "asserted",
        value: float | None = None,
    ) -> None:
        rule_id = f"{self.rule}.{rule}"
        services = self.services if scope is None else ()
        self.c.claim(
            kind,
            at,
            rule_id,
            scope,
            modality=modality,
            group=group or at,
            value=value,
            services=services,
        )

    def modality(self, at: str, value: object) -> Modality:
        """Planned or negated when a trailing comment says so (`dead_letter: sqs  # TODO`), or
        the value itself does (`"dlq": "maybe later"`, `"retries": "tbd"`)."""
        comment = self.c.comment(at)
        if not comment and isinstance(value, str) and not sentence(value):
            comment = value  # a short value in words: "maybe later", "TBD", "not yet"
        if not comment:
            return "asserted"
        found = self.vocabulary.comment_modality(comment)
        return "planned" if found == "planned" else "negated" if found == "negated" else "asserted"

    def _claim_word(self, value: object) -> str | None:
        if isinstance(value, bool):
            return None if value else "negated"
        return self.vocabulary.claim_of(value) if isinstance(value, str) else None

    def _kind(self, value: object) -> ClaimKind | None:
        word = self._claim_word(value)
        if word is None or word == "negated":
            return None
        return ClaimKind(word)

    def _holds_secret(self, at: str) -> bool:
        """Is the key one that holds a secret's value (`api_key`, `token`), not a reference to
        where it is kept (`secrets`, `auth`)?"""
        key = at.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        return common.key_name(key) in common.SECRET_KEYS

    def _retried(self, at: str) -> bool:
        return any(c.span.pointer.startswith(at) and c.kind is K.RETRY for c in self.c.claims)

    def _exponential(self, at: str) -> bool:
        return any(
            c.span.pointer.startswith(at) and c.kind is K.BACKOFF_EXPONENTIAL for c in self.c.claims
        )


_ENV_KEYS = frozenset(("env", "envvar", "environment", "fromenv", "envname"))


def _count(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _NUMBER.match(value)
        return float(match.group(1)) if match else None
    return None


# `id`, `order_id`, `request.id`, a uuid (any case), or a camelCase `messageId` (as written:
# case-blind, `[a-z]Id` would take "paid" and "valid" for ids)
_ID_REFERENCE = re.compile(r"(?i:\bid\b|_id\b|\.id\b|uuid|guid)|[a-z]Id\b")


def _id_key(key: str, item: object) -> bool:
    """A bare `key` among a step's fields, whose value refers to an identifier (`{{ request.id
    }}`, `messageId`): the step's idempotency key. `key` may name a secret too, so the value
    must read as a reference to an id, never as a literal."""
    if key.lower() != "key" or not isinstance(item, str):
        return False
    # a name or a template, no digits: `messageId`, `{{ request.id }}`, not `k_9fQ2...`
    return bool(_ID_REFERENCE.search(item)) and not any(ch.isdigit() for ch in item)
