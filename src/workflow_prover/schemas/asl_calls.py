"""What a Step Functions Task calls: its Resource read, or inferred when it is a placeholder.

`arn:aws:states:::sqs:sendMessage` is an SQS send, `arn:aws:states:::aws-sdk:dynamodb:getItem` a
DynamoDB read, `arn:aws:lambda:...:function:charge` a Lambda function. Definitions kept next to
a template name their resources by placeholder (`"${DDBUpdateItem}"`, `"${LambdaArn}"`) filled
in at deploy time; when the template's substitutions are not at hand, the state's parameters
say which service it is (`TableName` with `Key` is DynamoDB, `FunctionName` or `Payload` a
Lambda function, `QueueUrl` SQS, `TopicArn` SNS) and the placeholder's name says what it does
(`DDBUpdateItem` updates an item, `PrepareFunctionArn` is a function).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workflow_prover.schemas import common

_PLACEHOLDER = re.compile(r"^\$\{([A-Za-z0-9_.:-]+)\}$")
# Parameters that only one service takes, in the order they are tested.
_SHAPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dynamodb", ("TableName", "TransactItems", "RequestItems")),
    ("lambda", ("FunctionName", "Payload")),
    ("sqs", ("QueueUrl",)),
    ("sns", ("TopicArn", "TargetArn", "PhoneNumber")),
    ("events", ("Entries",)),
    ("states", ("StateMachineArn",)),
    ("s3", ("Bucket",)),
)
# Words of a placeholder's name that name a service.
_NAME_WORDS = {
    "ddb": "dynamodb",
    "dynamodb": "dynamodb",
    "dynamo": "dynamodb",
    "table": "dynamodb",
    "function": "lambda",
    "lambda": "lambda",
    "queue": "sqs",
    "sqs": "sqs",
    "topic": "sns",
    "sns": "sns",
    "bucket": "s3",
    "s3": "s3",
    "bus": "events",
    "statemachine": "states",
}
# A DynamoDB call's action from its parameters, when the name does not say it.
_DYNAMODB_ACTIONS: tuple[tuple[str, str], ...] = (
    ("TransactItems", "transactWriteItems"),
    ("RequestItems", "batchWriteItem"),
    ("UpdateExpression", "updateItem"),
    ("Item", "putItem"),
    ("KeyConditionExpression", "query"),
    ("Key", "getItem"),
)
_DEFAULT_ACTIONS = {
    "lambda": "invoke",
    "sqs": "sendMessage",
    "sns": "publish",
    "events": "putEvents",
    "states": "startExecution",
}


@dataclass(frozen=True, slots=True)
class Call:
    """What a Task's Resource calls."""

    kind: str  # http | aws | lambda | activity | other
    service: str  # sqs, dynamodb, lambda, http...
    action: str  # sendMessage, putItem, invoke, ...
    function: str | None = None
    inferred: bool = False  # read from a placeholder and the parameters, not from an ARN


def integration(resource: str, params: dict[str, object] | None = None) -> Call:
    """The call a Resource ARN (or a placeholder, with the state's parameters) makes."""
    if resource.startswith("arn:aws:states:::"):
        parts = resource[len("arn:aws:states:::") :].split(":")
        if parts[0] == "aws-sdk" and len(parts) >= 3:
            return Call("aws", parts[1].lower(), parts[2].split(".")[0])
        action = parts[1].split(".")[0] if len(parts) > 1 else ""
        if parts[0] == "http":
            return Call("http", "http", action)
        return Call("aws", parts[0].lower(), action)
    if resource.startswith("arn:aws:lambda:") and ":function:" in resource:
        name = resource.split(":function:", 1)[1].split(":")[0]
        return Call("lambda", "lambda", "invoke", name)
    if resource.startswith("arn:aws:states:") and ":activity:" in resource:
        return Call("activity", "activity", "", resource.rsplit(":", 1)[-1])
    match = _PLACEHOLDER.match(resource.strip())
    if match is not None:
        return placeholder(match.group(1), params or {})
    return Call("other", "", "")


def placeholder(name: str, params: dict[str, object]) -> Call:
    """A Resource left as `${Name}`: the service from the parameters, else from the name."""
    keys = {key[:-2] if key.endswith(".$") else key for key in params}
    service = next((svc for svc, names in _SHAPES if keys & set(names)), None)
    words = common.words(name)
    if service is None:
        service = next((_NAME_WORDS[w] for w in words if w in _NAME_WORDS), None)
    if service is None:
        return Call("other", "", "")
    if service == "lambda":
        function = None if keys & {"FunctionName"} else name.removesuffix("Arn")
        return Call("lambda", "lambda", "invoke", function, inferred=True)
    return Call("aws", service, _action(service, words, keys), inferred=True)


def _action(service: str, words: list[str], keys: set[str]) -> str:
    """The action a placeholder's name says (`DDBUpdateItem` -> updateItem), else the shape's."""
    verbs = [w for w in words if w not in _NAME_WORDS and w != "arn"]
    if verbs:
        return verbs[0] + "".join(w.capitalize() for w in verbs[1:])
    if service == "dynamodb":
        return next((action for key, action in _DYNAMODB_ACTIONS if key in keys), "")
    return _DEFAULT_ACTIONS.get(service, "")
