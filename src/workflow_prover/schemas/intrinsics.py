"""CloudFormation's intrinsic functions, resolved as far as a reader needs them.

A state machine in a template names its resources through the template: `"${LambdaArn}"` with
`DefinitionSubstitutions: {LambdaArn: !GetAtt ChargeFunction.Arn}`, `TableName: !Ref Orders`,
`Resource: {"Fn::GetAtt": [buy-ticket, Arn]}` (Serverless Framework). Nothing is deployed, so a
reference becomes the string it would be at deploy time, as far as the template shows it: an
ARN of the right service for a resource of a known type (`arn:aws:lambda:...:function:X`), a
parameter's default, the logical id otherwise. What cannot be resolved stays as it is and the
ASL reader infers the integration from the state's parameters (`asl.placeholder`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.:-]+)\}")
_PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "region", "AWS::AccountId": "account"}
# Resource types -> how their ARN (Fn::GetAtt X.Arn) and their Ref read, `{}` the logical id.
_ARNS = {
    "AWS::Lambda::Function": "arn:aws:lambda:region:account:function:{}",
    "AWS::Serverless::Function": "arn:aws:lambda:region:account:function:{}",
    "AWS::SQS::Queue": "arn:aws:sqs:region:account:{}",
    "AWS::SNS::Topic": "arn:aws:sns:region:account:{}",
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:region:account:table/{}",
    "AWS::Serverless::SimpleTable": "arn:aws:dynamodb:region:account:table/{}",
    "AWS::StepFunctions::StateMachine": "arn:aws:states:region:account:stateMachine:{}",
    "AWS::Serverless::StateMachine": "arn:aws:states:region:account:stateMachine:{}",
    "AWS::Events::Connection": "arn:aws:events:region:account:connection/{}",
    "AWS::Events::EventBus": "arn:aws:events:region:account:event-bus/{}",
    "AWS::S3::Bucket": "arn:aws:s3:::{}",
}
_REFS = {
    "AWS::Lambda::Function": "{}",
    "AWS::Serverless::Function": "{}",
    "AWS::SQS::Queue": "https://sqs.region.amazonaws.com/account/{}",
    "AWS::SNS::Topic": "arn:aws:sns:region:account:{}",
    "AWS::StepFunctions::StateMachine": "arn:aws:states:region:account:stateMachine:{}",
    "AWS::Serverless::StateMachine": "arn:aws:states:region:account:stateMachine:{}",
}
_SERVERLESS_FUNCTION = "AWS::Lambda::Function"


class Template:
    """The resources and parameters of a template, to resolve references against."""

    def __init__(self, template: Mapping[str, object]) -> None:
        self.types: dict[str, str] = {}
        self.defaults: dict[str, str] = {}
        for resources in (template.get("Resources"), _get(template, "resources", "Resources")):
            for name, resource in (resources or {}).items() if isinstance(resources, dict) else ():
                kind = resource.get("Type") if isinstance(resource, dict) else None
                if isinstance(kind, str):
                    self.types[str(name)] = kind
        functions = template.get("functions")
        for name in functions if isinstance(functions, dict) else ():
            self.types.setdefault(str(name), _SERVERLESS_FUNCTION)
        parameters = template.get("Parameters")
        for name, spec in parameters.items() if isinstance(parameters, dict) else ():
            default = spec.get("Default") if isinstance(spec, dict) else None
            if isinstance(default, str | int | float) and not isinstance(default, bool):
                self.defaults[str(name)] = str(default)

    def text(self, value: object) -> str | None:
        """The string `value` stands for, or None when the template does not say."""
        if isinstance(value, str):
            return value
        if not isinstance(value, dict) or len(value) != 1:
            return None
        (function, argument), *_ = value.items()
        if function == "Ref" and isinstance(argument, str):
            return self.ref(argument)
        if function == "Fn::GetAtt":
            parts = argument.split(".", 1) if isinstance(argument, str) else argument
            if isinstance(parts, list) and parts and isinstance(parts[0], str):
                return self.arn(parts[0])
        if function == "Fn::Sub":
            template = argument[0] if isinstance(argument, list) and argument else argument
            names = argument[1] if isinstance(argument, list) and len(argument) > 1 else {}
            if isinstance(template, str):
                return self.sub(template, names if isinstance(names, dict) else {})
        if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            separator, parts = argument
            texts = [self.text(p) for p in parts] if isinstance(parts, list) else [None]
            if isinstance(separator, str) and all(t is not None for t in texts):
                return separator.join(t for t in texts if t is not None)
        return None

    def ref(self, name: str) -> str:
        if name in _PSEUDO:
            return _PSEUDO[name]
        if name in self.defaults:
            return self.defaults[name]
        pattern = _REFS.get(self.types.get(name, ""), "{}")
        return pattern.format(name)

    def arn(self, name: str) -> str | None:
        pattern = _ARNS.get(self.types.get(name, ""))
        return pattern.format(name) if pattern else None

    def sub(self, template: str, names: Mapping[str, object]) -> str:
        """`Fn::Sub`: `${Name}` and `${Name.Arn}` replaced where the template says what they are."""

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in names:
                return self.text(names[name]) or match.group(0)
            if name.endswith(".Arn"):
                return self.arn(name[:-4]) or match.group(0)
            if name in _PSEUDO or name in self.defaults or name in self.types:
                return self.ref(name)
            return match.group(0)

        return _PLACEHOLDER.sub(one, template)

    def resolve(self, value: object, substitutions: Mapping[str, object]) -> object:
        """A copy of a definition with `${...}` substitutions and references resolved.

        The shape is kept (a resolved reference replaces its object at the same place), so
        every JSON pointer into the definition still points at the same element.
        """
        if isinstance(value, str):
            return _PLACEHOLDER.sub(lambda m: self._substitution(m, substitutions), value)
        if isinstance(value, list):
            return [self.resolve(item, substitutions) for item in value]
        if isinstance(value, dict):
            resolved = self.text(value) if _is_intrinsic(value) else None
            if resolved is not None:
                return resolved
            return {key: self.resolve(item, substitutions) for key, item in value.items()}
        return value

    def _substitution(self, match: re.Match[str], substitutions: Mapping[str, object]) -> str:
        name = match.group(1)
        if name not in substitutions:
            return match.group(0)
        return self.text(substitutions[name]) or match.group(0)


def _is_intrinsic(value: dict[object, object]) -> bool:
    return len(value) == 1 and any(k == "Ref" or str(k).startswith("Fn::") for k in value)


def _get(value: object, *keys: str) -> object:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value
