"""SAM, CloudFormation and Serverless Framework templates -> one workflow per state machine.

A template is infrastructure, not a workflow: the workflows are the state machines it defines.
Each is found and read with the ASL reader, as a workflow of its own (`SchemaDoc.workflow` is
the pointer of its resource), with pointers into the template:

- `AWS::Serverless::StateMachine`: `Definition` (inline), or `DefinitionUri` when it is a local
  file the caller can read (`FileLoader`; the command line reads it next to the template);
- `AWS::StepFunctions::StateMachine`: `Definition`, or `DefinitionString` (a JSON string, alone
  or in `Fn::Sub`/`Fn::Join`); pointers continue inside the string, and its offsets map back to
  the template when the string is a JSON string or a YAML literal block;
- Serverless Framework: `stepFunctions.stateMachines.<name>.definition`.

`DefinitionSubstitutions` and the template's own references (`!GetAtt Fn.Arn`, `!Ref Table`,
`!Sub arn:${AWS::Partition}:states:::dynamodb:putItem`) are resolved (`intrinsics`). A definition
that cannot be read (an S3 location, a file that is not given, a string that is not JSON) is an
issue, not a guess; a template that holds no state machine is one too, and describes no
workflow. Events, pipes and schedules that start a machine are not read as steps.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import yaml

from workflow_prover.schemas import asl
from workflow_prover.schemas.detect import Parsed
from workflow_prover.schemas.intrinsics import Template
from workflow_prover.schemas.locate import Loc, json_locations, yaml_document
from workflow_prover.schemas.model import Collector, SchemaDoc, pointer
from workflow_prover.schemas.services import ServiceResolver
from workflow_prover.schemas.strings import string_offsets

FileLoader = Callable[[str], str | None]  # a local path from the template -> its text, or None
_MACHINE_TYPES = frozenset(("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"))


@dataclass
class _Machine:
    resource: str  # pointer of the machine's resource: the workflow's name
    at: str  # pointer of its definition
    value: object = None  # the definition, substitutions resolved
    locs: dict[str, Loc] = field(default_factory=dict)  # locations inside a definition string
    problem: str = ""


def recognise(value: object) -> bool:
    """A CloudFormation/SAM template (AWS resources) or a Serverless Framework service."""
    if not isinstance(value, dict):
        return False
    resources = value.get("Resources")
    if isinstance(resources, dict) and any(
        isinstance(r, dict) and str(r.get("Type", "")).startswith(("AWS::", "Custom::"))
        for r in resources.values()
    ):
        return True
    machines = _dig(value, "stepFunctions", "stateMachines")
    return isinstance(machines, dict) or ("service" in value and "provider" in value)


def read(
    parsed: Parsed, resolver: ServiceResolver, files: FileLoader | None = None
) -> tuple[SchemaDoc, ...] | None:
    """One document per state machine of the template; None when it is no template."""
    if not recognise(parsed.value):
        return None
    assert isinstance(parsed.value, dict)
    template = Template(parsed.value)
    docs: list[SchemaDoc] = []
    for machine in _machines(parsed, template, files):
        located = Parsed(parsed.block, parsed.value, {**parsed.locs, **machine.locs}, parsed.source)
        collector = Collector(located, machine.at)
        if machine.problem:
            collector.issue(machine.at, machine.problem)
        else:
            asl.read_into(collector, resolver, machine.value, machine.at)
        docs.append(collector.doc(asl.FORMAT, workflow=machine.resource))
    if not docs:
        collector = Collector(parsed)
        collector.issue("", "this template defines no state machine: it describes no workflow")
        docs.append(collector.doc("template"))
    return tuple(docs)


def _machines(parsed: Parsed, template: Template, files: FileLoader | None) -> Iterator[_Machine]:
    value = parsed.value
    assert isinstance(value, dict)
    resources = value.get("Resources")
    for name, resource in resources.items() if isinstance(resources, dict) else ():
        if isinstance(resource, dict) and resource.get("Type") in _MACHINE_TYPES:
            properties = resource.get("Properties")
            here = pointer("Resources", name)
            yield _cloudformation(parsed, template, here, properties, files)
    machines = _dig(value, "stepFunctions", "stateMachines")
    for name, spec in machines.items() if isinstance(machines, dict) else ():
        here = pointer("stepFunctions", "stateMachines", name)
        definition = spec.get("definition") if isinstance(spec, dict) else None
        yield _inline(template, here, f"{here}/definition", definition, {})


def _cloudformation(
    parsed: Parsed, template: Template, here: str, properties: object, files: FileLoader | None
) -> _Machine:
    props = properties if isinstance(properties, dict) else {}
    raw = props.get("DefinitionSubstitutions")
    substitutions = raw if isinstance(raw, dict) else {}
    at = f"{here}/Properties"
    if "Definition" in props:
        return _inline(template, here, f"{at}/Definition", props["Definition"], substitutions)
    if "DefinitionString" in props:
        return _string(parsed, template, here, f"{at}/DefinitionString", props, substitutions)
    if "DefinitionUri" in props:
        return _file(template, here, f"{at}/DefinitionUri", props["DefinitionUri"], files)
    where = "DefinitionS3Location" if "DefinitionS3Location" in props else "Properties"
    return _Machine(here, f"{at}/{where}", problem=_NOT_INLINE)


_NOT_INLINE = (
    "the state machine's definition is not in the template (an S3 location, or missing); "
    "paste the definition or give its file to have it read"
)


def _inline(
    template: Template, here: str, at: str, definition: object, substitutions: dict[str, object]
) -> _Machine:
    if not asl.is_machine(definition):
        return _Machine(here, at, problem="the definition has no StartAt and States; not read")
    return _Machine(here, at, template.resolve(definition, substitutions))


def _string(
    parsed: Parsed,
    template: Template,
    here: str,
    at: str,
    props: dict[str, object],
    substitutions: dict[str, object],
) -> _Machine:
    """`DefinitionString`: a JSON string, alone or as the template of `Fn::Sub`."""
    value, text_at = props["DefinitionString"], at
    if isinstance(value, dict) and "Fn::Sub" in value:
        inner = value["Fn::Sub"]
        value, text_at = (inner[0] if isinstance(inner, list) and inner else inner), f"{at}/Fn::Sub"
        if isinstance(value, str) and text_at not in parsed.locs:
            text_at = at  # a YAML `!Sub |` block: the tagged node is the string
    if not isinstance(value, str):
        value = template.text(value)  # Fn::Join of literal parts
        text_at = ""
    if value is None:
        return _Machine(here, at, problem="the DefinitionString is built from parts not known")
    try:
        definition = json.loads(value)
    except json.JSONDecodeError as exc:
        return _Machine(here, at, problem=f"the DefinitionString is not JSON ({exc.msg})")
    machine = _inline(template, here, at, _sub_strings(template, definition), substitutions)
    if not machine.problem and text_at:
        machine.locs = _inner_locations(parsed, text_at, value, at)
    return machine


def _sub_strings(template: Template, value: object) -> object:
    """`Fn::Sub` applied to every string of a parsed definition (its shape is kept)."""
    if isinstance(value, str):
        return template.sub(value, {})
    if isinstance(value, list):
        return [_sub_strings(template, item) for item in value]
    if isinstance(value, dict):
        return {key: _sub_strings(template, item) for key, item in value.items()}
    return value


def _inner_locations(parsed: Parsed, text_at: str, decoded: str, at: str) -> dict[str, Loc]:
    """Locations inside a definition string, mapped to the template's text when possible."""
    loc = parsed.locs.get(text_at)
    if loc is None:
        return {}
    mapping = string_offsets(parsed.source, loc.start, loc.end, decoded)
    if mapping is None:
        return {}
    try:
        inner = json_locations(decoded)
    except (ValueError, IndexError, RecursionError):
        return {}
    out: dict[str, Loc] = {}
    for ptr, item in inner.items():
        key = None if item.key_start is None else mapping(item.key_start)
        end = mapping(max(item.end - 1, item.start)) + 1
        out[f"{at}{ptr}"] = Loc(mapping(item.start), end, key)
    return out


def _file(
    template: Template, here: str, at: str, uri: object, files: FileLoader | None
) -> _Machine:
    if not isinstance(uri, str) or "://" in uri or files is None:
        return _Machine(here, at, problem=_NOT_INLINE)
    text = files(uri)
    if text is None:
        return _Machine(here, at, problem=f"the DefinitionUri file {uri[:80]!r} could not be read")
    try:
        definition = json.loads(text) if text.lstrip().startswith("{") else yaml_document(text)[0]
    except (ValueError, yaml.YAMLError, RecursionError):
        return _Machine(here, at, problem=f"the DefinitionUri file {uri[:80]!r} does not parse")
    return _inline(template, here, at, definition, {})


def _dig(value: object, *keys: str) -> object:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value
