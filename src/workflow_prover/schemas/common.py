"""Readings shared by the schema readers: names, keys, literal credentials.

Schemas name things with identifiers (`CancelFlightReservation`, `Send to DLQ`,
`Idempotency-Key`). These helpers read such identifiers; they are deliberately small and
conservative: when in doubt a step writes and a key is not idempotent.
"""

from __future__ import annotations

import re

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

READ_VERBS = frozenset(
    {
        "get",
        "fetch",
        "read",
        "list",
        "query",
        "scan",
        "describe",
        "search",
        "lookup",
        "find",
        "poll",
        "pull",
        "receive",
        "download",
        "select",
        "head",
        "check",
        "validate",
        "load",
        "batchget",
        "retrieve",
        "look",
        "enrich",  # enrichment APIs look a record up (Clearbit, Hunter, ExactBuyer)
        "verify",
    }
)
COMPENSATION_WORDS = frozenset(
    {
        "cancel",
        "refund",
        "revert",
        "undo",
        "rollback",
        "compensate",
        "compensation",
        "release",
        "void",
        "reverse",
        "unreserve",
        "unlock",
    }
)
PARKING_WORDS = frozenset(
    {
        "dlq",
        "dlx",
        "dead",
        "deadletter",
        "failed",
        "failures",
        "quarantine",
        "parking",
        "park",
        "parked",
        "poison",
        "persist",
        "replay",
        "unprocessed",
    }
)
ALERT_WORDS = frozenset(("notify", "notification", "alert", "alarm", "page", "email", "pager"))
IDEMPOTENCY_KEYS = frozenset(
    {
        "idempotencykey",
        "xidempotencykey",
        "idempotencytoken",
        "idempotencyid",
        "clienttoken",
        "clientrequesttoken",
        "requestid",  # QuickBooks' `requestid`, the request id an API dedupes on
        "clientrequestid",
        "messagededuplicationid",
        "deduplicationid",
        "dedupeid",
        "dedupid",
        "dedupekey",
        "dedupkey",
        "deduplicationkey",
        "idempotency",
    }
)
SECRET_KEYS = frozenset(
    {
        "authorization",
        "apikey",
        "xapikey",
        "apitoken",
        "token",
        "accesstoken",
        "authtoken",
        "secret",
        "clientsecret",
        "password",
        "passwd",
        "privatekey",
        "bearer",
        "xauthtoken",
        "apisecret",
        "secretkey",
        "accesskey",
        "xapitoken",
    }
)
# A key that changes between attempts: fresh UUIDs, clocks, random numbers, attempt counters.
UNSTABLE_KEY = re.compile(
    r"uuid|guid|\$now\b|now\s*\(|date\.now|\$today|timestamp|random|\$millis|enteredtime"
    r"|retrycount|\$runindex|time\.time|datetime"
    r"|\{\s*\$?(?:now|utcnow)(?:_\w+)?\s*\}",  # `${now_iso}`, `{{now}}`: the clock, templated
    re.IGNORECASE,
)
_EXPRESSION = re.compile(r"\{\{|\{%|\$\{|^\s*=|^\s*\$|^\s*<[^>]*>\s*$|^arn:", re.IGNORECASE)
_SCHEME = re.compile(r"^(?:bearer|basic|token|apikey|key)\s+", re.IGNORECASE)
# A blank to fill in: `{your_personal_access_token}`, `<your-key>`.
_BLANK = re.compile(r"[{<]\s*your[_ -]?[a-z_ -]*[}>]", re.IGNORECASE)


def words(identifier: str) -> list[str]:
    """`CancelFlightReservation` -> ['cancel', 'flight', 'reservation']."""
    return [w.lower() for w in _WORDS.findall(identifier)]


def key_name(key: str) -> str:
    """A parameter key reduced for comparison: `Idempotency-Key.$` -> `idempotencykey`."""
    key = key[:-2] if key.endswith(".$") else key
    return _NON_ALNUM.sub("", key.lower())


def reads(identifier: str) -> bool:
    """Does a name start with a read verb (`GetCustomer`, `fetch orders`)?"""
    first = words(identifier)[:1]
    return bool(first) and first[0] in READ_VERBS


def mentions(identifier: str, vocabulary: frozenset[str]) -> bool:
    found = words(identifier)
    joined = "".join(found)
    return any(w in vocabulary for w in found) or any(
        v in joined for v in vocabulary if len(v) >= 5
    )


def literal_secret(value: object) -> bool:
    """A credential written out, not a reference: 'Bearer 8f3a...', 'sk_live_...'."""
    if not isinstance(value, str):
        return False
    text = _SCHEME.sub("", value.strip())
    if len(text) < 8 or " " in text or _EXPRESSION.search(value):
        return False
    return not text.lower().startswith(("your", "xxx", "changeme", "placeholder", "redacted"))


def written_in(value: object) -> bool:
    """A credential typed into the definition, or a blank left for one ('Bearer {your_token}',
    'APIKEYHERE'): a literal where a reference to a credential store belongs. The design keeps
    the credential in plain text either way (a placeholder is not a leak, but it is hard-coded)."""
    if not isinstance(value, str) or not value.strip():
        return False
    if value.startswith("=") and "{{" in value:
        return False  # an n8n expression: the value comes from elsewhere
    return not _EXPRESSION.search(value) or bool(_BLANK.search(value))


def unstable(value: object) -> bool:
    return isinstance(value, str) and bool(UNSTABLE_KEY.search(value))
