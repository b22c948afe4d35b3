"""What a Task's `Parameters` (JSONPath) or `Arguments` (JSONata) say about its call.

- Idempotency: `Idempotency-Key` headers, client tokens, `MessageDeduplicationId` (unstable
  when built with `States.UUID()` or a clock); a conditional write (any `ConditionExpression`);
  an HTTP PUT/PATCH; a DynamoDB `UpdateItem` that only `SET`s (an `ADD`, arithmetic or
  `list_append` counts, and is not); a DynamoDB `PutItem` whose key attribute is taken from the
  input (a retry writes the same item again: an overwrite); `SendTaskSuccess`/`Failure`
  (a task token is consumed once).
- Credentials: an HTTP Task's EventBridge connection (`Authentication.ConnectionArn`, or
  `InvocationConfig.ConnectionArn` with JSONata) keeps them in Secrets Manager; API Gateway's
  `AuthType: IAM_ROLE` is the execution role; a public GET (`AuthType: NO_AUTH`) needs none; a
  credential written out (`Authorization: Bearer ...`) is hard-coded.
"""

from __future__ import annotations

import re

from workflow_prover.models import ClaimKind
from workflow_prover.schemas import common
from workflow_prover.schemas.asl_calls import Call
from workflow_prover.schemas.model import Collector, walk

K = ClaimKind
# An update that counts (ADD, arithmetic, appending) is not safe to repeat; one that sets is.
_COUNTING = re.compile(r"\bADD\b|[+-]\s*:|list_append", re.IGNORECASE)
_TOKEN_ACTIONS = frozenset(("sendtasksuccess", "sendtaskfailure", "sendtaskheartbeat"))
_INPUT = re.compile(r"^\s*(?:\$\.|\$\[|\{%\s*\$states\.input|\{%\s*\$[a-z])", re.IGNORECASE)
_READ_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


def read(c: Collector, call: Call, params: dict[str, object], at: str, here: str) -> None:
    """Every claim the parameters of the Task at `here` make (its arguments are at `at`)."""
    scope = (here,)
    keys(c, params, at, scope, here)
    naturally_idempotent(c, call, params, at, scope, here)
    credentials(c, call, params, at, scope)


def keys(
    c: Collector, params: dict[str, object], at: str, scope: tuple[str, ...], here: str
) -> None:
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
            c.claim(kind, ptr, rule, scope, group=group)
        elif name == "conditionexpression" and isinstance(value, str) and value.strip():
            c.claim(K.IDEMPOTENCY, ptr, "schema.asl.conditional_write", scope, group=group)
        elif name in common.SECRET_KEYS and not key.endswith(".$") and common.literal_secret(value):
            c.claim(K.HARDCODED, ptr, "schema.asl.literal_credential", scope)


def naturally_idempotent(
    c: Collector, call: Call, params: dict[str, object], at: str, scope: tuple[str, ...], here: str
) -> None:
    """Calls that are safe to repeat as they are written."""
    group = f"{here}/idempotency"
    method = params.get("Method")
    action = call.action.lower()
    if call.kind == "http" and isinstance(method, str) and method.upper() in ("PUT", "PATCH"):
        c.claim(K.IDEMPOTENCY, f"{at}/Method", "schema.asl.http_put", scope, group=group)
    update = params.get("UpdateExpression")
    counts = not isinstance(update, str) or bool(_COUNTING.search(update))
    if call.service == "dynamodb" and action == "updateitem" and not counts:
        at_update = f"{at}/UpdateExpression"
        c.claim(K.IDEMPOTENCY, at_update, "schema.asl.set_update", scope, group=group)
    if call.service == "dynamodb" and action == "putitem":
        key = _input_key(params.get("Item"))
        if key is not None:
            c.claim(
                K.IDEMPOTENCY, f"{at}/Item/{key}", "schema.asl.put_overwrite", scope, group=group
            )
    if call.service in ("sfn", "states") and action in _TOKEN_ACTIONS:
        c.claim(K.IDEMPOTENCY, f"{here}/Resource", "schema.asl.task_token", scope, group=group)


def _input_key(item: object) -> str | None:
    """The key attribute of a PutItem's Item when it comes from the input (`id.$: $.id`)."""
    if not isinstance(item, dict):
        return None
    for attribute, value in item.items():
        name = common.key_name(str(attribute))
        if not (name in ("id", "pk", "key", "sk") or name.endswith(("id", "key"))):
            continue
        source = _attribute_source(str(attribute), value)
        if source is not None and _INPUT.match(source) and not common.unstable(source):
            return str(attribute)
    return None


def _attribute_source(attribute: str, value: object) -> str | None:
    """The path or expression an attribute's value is taken from (`{"S.$": "$.id"}` -> `$.id`)."""
    if attribute.endswith(".$") and isinstance(value, str):
        return value
    if isinstance(value, str) and value.lstrip().startswith("{%"):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (typed, inner), *_ = value.items()
        if isinstance(inner, str) and (
            str(typed).endswith(".$") or inner.lstrip().startswith("{%")
        ):
            return inner
    return None


def credentials(
    c: Collector, call: Call, params: dict[str, object], at: str, scope: tuple[str, ...]
) -> None:
    for holder in ("Authentication", "InvocationConfig"):
        config = params.get(holder)
        if call.kind == "http" and isinstance(config, dict) and config.get("ConnectionArn"):
            at_arn = f"{at}/{holder}/ConnectionArn"
            c.claim(K.VAULT, at_arn, "schema.asl.eventbridge_connection", scope)
            break
    auth = str(params.get("AuthType", "")).upper()
    method = str(params.get("Method", "GET")).upper()
    if call.service == "apigateway" and auth == "NO_AUTH" and method in _READ_METHODS:
        c.claim(K.NO_CREDENTIAL, f"{at}/AuthType", "schema.asl.public_get", scope)
