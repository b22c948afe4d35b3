"""SAM, CloudFormation and Serverless templates: the state machines they hold, each a workflow."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from workflow_prover.analyzer import Analyzer
from workflow_prover.cli.inputs import local_files
from workflow_prover.extract.services.catalog import ServiceCatalog
from workflow_prover.lexicon.loader import load_lexicons
from workflow_prover.models import ClaimKind as K
from workflow_prover.schemas import SchemaDoc, ServiceResolver, read_structured
from workflow_prover.schemas.locate import yaml_document


@pytest.fixture(scope="module")
def resolver() -> ServiceResolver:
    lexicons = load_lexicons()
    return ServiceResolver(lexicons, ServiceCatalog(lexicons))


def docs(text: str, resolver: ServiceResolver, **options: object) -> list[SchemaDoc]:
    return list(read_structured(text, resolver, **options).docs)  # type: ignore[arg-type]


def steps(doc: SchemaDoc) -> list[tuple[str, str, str]]:
    return [(s.span.pointer, s.action, s.services[0].name) for s in doc.steps]


def sam(definition: str, *, resources: str = "", properties: str = "") -> str:
    """A SAM template with one state machine `Flow` whose `Definition` is `definition`."""
    return textwrap.dedent(
        """\
        AWSTemplateFormatVersion: "2010-09-09"
        Transform: AWS::Serverless-2016-10-31
        Resources:
          ChargeFunction:
            Type: AWS::Serverless::Function
          Orders:
            Type: AWS::DynamoDB::Table
        {resources}
          Flow:
            Type: AWS::Serverless::StateMachine
            Properties:
              Role: !GetAtt FlowRole.Arn
        {properties}
              Definition:
        {definition}
        """
    ).format(
        resources=textwrap.indent(textwrap.dedent(resources), "  "),
        properties=textwrap.indent(textwrap.dedent(properties), "      "),
        definition=textwrap.indent(textwrap.dedent(definition), "        "),
    )


ONE_TASK = """\
StartAt: Charge
States:
  Charge:
    Type: Task
    Resource: arn:aws:states:::lambda:invoke
    Parameters:
      FunctionName: !GetAtt ChargeFunction.Arn
    End: true
"""


@pytest.mark.parametrize(
    ("tagged", "long_form"),
    [
        ("!Ref Orders", {"Ref": "Orders"}),
        ("!GetAtt ChargeFunction.Arn", {"Fn::GetAtt": "ChargeFunction.Arn"}),
        ("!Sub arn:${AWS::Partition}:sqs", {"Fn::Sub": "arn:${AWS::Partition}:sqs"}),
        ("!Join [':', [a, b]]", {"Fn::Join": [":", ["a", "b"]]}),
        ("!If [IsProd, a, b]", {"Fn::If": ["IsProd", "a", "b"]}),
        ("!Condition IsProd", {"Condition": "IsProd"}),
        ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
    ],
)
def test_when_yaml_uses_short_form_tags_then_they_parse_as_opaque_values(
    tagged: str, long_form: object
) -> None:
    value, locs = yaml_document(f"key: {tagged}\n")
    assert value == {"key": long_form}
    assert "/key" in locs


def test_when_a_file_is_a_sam_template_then_the_command_line_reads_it(
    tmp_path: Path, analyzer: Analyzer
) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(sam(ONE_TASK), encoding="utf-8")
    report = analyzer.analyze(path.read_text(encoding="utf-8"))
    assert [s.text for s in report.steps] == ["Charge"]
    assert report.steps[0].services == ["Lambda ChargeFunction"]


NESTED = [
    pytest.param(
        sam(ONE_TASK),
        "/Resources/Flow/Properties/Definition/States/Charge",
        id="sam-definition",
    ),
    pytest.param(
        sam(ONE_TASK).replace("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"),
        "/Resources/Flow/Properties/Definition/States/Charge",
        id="stepfunctions-definition",
    ),
    pytest.param(
        json.dumps(
            {
                "Resources": {
                    "Flow": {
                        "Type": "AWS::StepFunctions::StateMachine",
                        "Properties": {
                            "DefinitionString": {
                                "Fn::Sub": json.dumps(
                                    {
                                        "StartAt": "Charge",
                                        "States": {
                                            "Charge": {
                                                "Type": "Task",
                                                "Resource": "${ChargeFunction.Arn}",
                                                "End": True,
                                            }
                                        },
                                    }
                                )
                            }
                        },
                    },
                    "ChargeFunction": {"Type": "AWS::Lambda::Function"},
                }
            },
            indent=2,
        ),
        "/Resources/Flow/Properties/DefinitionString/States/Charge",
        id="definition-string-in-sub-json",
    ),
    pytest.param(
        textwrap.dedent(
            """\
            service: payments
            provider: {name: aws}
            functions:
              charge: {handler: charge.run}
            stepFunctions:
              stateMachines:
                flow:
                  definition:
                    StartAt: Charge
                    States:
                      Charge:
                        Type: Task
                        Resource:
                          Fn::GetAtt: [charge, Arn]
                        End: true
            """
        ),
        "/stepFunctions/stateMachines/flow/definition/States/Charge",
        id="serverless-framework",
    ),
]


@pytest.mark.parametrize(("template", "pointer"), NESTED)
def test_when_a_template_nests_a_state_machine_then_it_is_read_with_pointers_into_it(
    template: str, pointer: str, resolver: ServiceResolver
) -> None:
    [doc] = docs(template, resolver)
    [(at, action, service)] = steps(doc)
    assert (at, action) == (pointer, "write")
    assert service.startswith("Lambda ")
    assert doc.workflow == pointer.split("/Properties")[0].split("/definition")[0]
    role = [c for c in doc.claims if c.kind is K.WORKLOAD_IDENTITY]
    assert role and all(c.span.pointer.startswith(doc.workflow) for c in role)


def test_when_a_definition_string_is_a_yaml_block_then_evidence_quotes_the_template(
    resolver: ServiceResolver,
) -> None:
    template = textwrap.dedent(
        """\
        Resources:
          Flow:
            Type: AWS::StepFunctions::StateMachine
            Properties:
              DefinitionString: !Sub |
                {"StartAt": "Put",
                 "States": {"Put": {"Type": "Task",
                   "Resource": "arn:${AWS::Partition}:states:::dynamodb:putItem",
                   "Parameters": {"TableName": "orders", "Item": {"id": {"S.$": "$.id"}}},
                   "End": true}}}
        """
    )
    [doc] = docs(template, resolver)
    [claim] = [c for c in doc.claims if c.kind is K.IDEMPOTENCY]
    assert claim.span.pointer.endswith("/DefinitionString/States/Put/Parameters/Item/id")
    assert template[claim.span.start : claim.span.end] == '"id": {"S.$": "$.id"}'


TWO_MACHINES = sam(ONE_TASK) + textwrap.indent(
    textwrap.dedent(
        """\
        Notify:
          Type: AWS::StepFunctions::StateMachine
          Properties:
            Definition:
              StartAt: Send
              States:
                Send:
                  Type: Task
                  Resource: arn:aws:states:::sns:publish
                  End: true
        """
    ),
    "  ",
)


def test_when_a_template_holds_several_machines_then_each_is_its_own_workflow(
    analyzer: Analyzer,
) -> None:
    assert analyzer.workflows(TWO_MACHINES) == ("/Resources/Flow", "/Resources/Notify")
    flow = analyzer.analyze(TWO_MACHINES, workflow="/Resources/Flow")
    notify = analyzer.analyze(TWO_MACHINES, workflow="/Resources/Notify")
    assert [s.text for s in flow.steps] == ["Charge"]
    assert [s.text for s in notify.steps] == ["Send"]
    together = analyzer.analyze(TWO_MACHINES)
    assert len(together.steps) == 2
    assert "SCHEMA_SEVERAL_WORKFLOWS" in {n.code for n in together.notes}


SUBSTITUTIONS = [
    pytest.param(
        "Resource: ${ChargeArn}",
        "ChargeArn: !GetAtt ChargeFunction.Arn",
        ("write", "Lambda ChargeFunction"),
        id="getatt-function",
    ),
    pytest.param(
        "Resource: ${PutItem}\nParameters: {TableName: '${Table}', Item: {id: {S.$: $.id}}}",
        "PutItem: !Sub arn:${AWS::Partition}:states:::dynamodb:putItem\nTable: !Ref Orders",
        ("write", "Amazon DynamoDB"),
        id="sub-partition-arn",
    ),
    pytest.param(
        "Resource: ${Send}\nParameters: {QueueUrl: '${Queue}', MessageBody.$: $}",
        "Send: arn:aws:states:::sqs:sendMessage\nQueue: !Ref Orders",
        ("write", "Amazon SQS"),
        id="literal-arn",
    ),
]


@pytest.mark.parametrize(("task", "substitutions", "expected"), SUBSTITUTIONS)
def test_when_a_template_gives_substitutions_then_placeholders_resolve_through_them(
    task: str, substitutions: str, expected: tuple[str, str], resolver: ServiceResolver
) -> None:
    definition = "StartAt: A\nStates:\n  A:\n    Type: Task\n" + textwrap.indent(task, "    ")
    definition += "\n    End: true\n"
    properties = "DefinitionSubstitutions:\n" + textwrap.indent(substitutions, "  ")
    [doc] = docs(sam(definition, properties=properties), resolver)
    [(_, action, service)] = steps(doc)
    assert (action, service) == expected


SHAPES = [
    pytest.param("${DDBUpdateItem}", {"TableName": "t", "Key": {}}, "Amazon DynamoDB", id="table"),
    pytest.param("${Run}", {"FunctionName": "${Fn}", "Payload.$": "$"}, "Lambda Fn", id="lambda"),
    pytest.param("${Queue}", {"QueueUrl": "${Url}", "MessageBody.$": "$"}, "Amazon SQS", id="sqs"),
    pytest.param("${Alert}", {"TopicArn": "${Topic}", "Message": "x"}, "Amazon SNS", id="sns"),
    pytest.param("${CheckoutFunctionArn}", {}, "Lambda CheckoutFunction", id="name-says"),
]


@pytest.mark.parametrize(("resource", "parameters", "service"), SHAPES)
def test_when_a_placeholder_has_no_substitution_then_the_parameters_shape_names_the_service(
    resource: str, parameters: dict[str, object], service: str, resolver: ServiceResolver
) -> None:
    machine = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": resource, "End": True}}}
    if parameters:
        machine["States"]["A"]["Parameters"] = parameters  # type: ignore[index]
    [doc] = docs(json.dumps(machine), resolver)
    assert [s.services[0].name for s in doc.steps] == [service]
    assert K.WORKLOAD_IDENTITY in {c.kind for c in doc.claims}  # the execution role


def test_when_a_placeholder_names_an_update_then_a_set_only_update_is_idempotent(
    resolver: ServiceResolver,
) -> None:
    state = {
        "Type": "Task",
        "Resource": "${DDBUpdateItem}",
        "Parameters": {"TableName": "t", "Key": {}, "UpdateExpression": "SET #s = :s"},
        "End": True,
    }
    [doc] = docs(json.dumps({"StartAt": "A", "States": {"A": state}}), resolver)
    assert K.IDEMPOTENCY in {c.kind for c in doc.claims}


def _uri_template(uri: str) -> str:
    return textwrap.dedent(
        f"""\
        Resources:
          Flow:
            Type: AWS::Serverless::StateMachine
            Properties:
              DefinitionUri: {uri}
        """
    )


def test_when_a_definition_uri_is_a_local_file_it_is_read_only_with_a_file_reader(
    tmp_path: Path, resolver: ServiceResolver
) -> None:
    (tmp_path / "sm").mkdir()
    (tmp_path / "sm" / "flow.asl.json").write_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Task", '
        '"Resource": "arn:aws:states:::sqs:sendMessage", "End": true}}}',
        encoding="utf-8",
    )
    template = _uri_template("sm/flow.asl.json")
    files = local_files(str(tmp_path / "template.yaml"))
    [doc] = docs(template, resolver, files=files)
    assert [s.services[0].name for s in doc.steps] == ["Amazon SQS"]
    [alone] = docs(template, resolver)
    assert not alone.steps and "not in the template" in alone.issues[0].message


@pytest.mark.parametrize("uri", ["../outside.json", "/etc/hostname", "s3://bucket/flow.json"])
def test_when_a_definition_uri_leaves_the_template_folder_then_it_is_not_read(
    tmp_path: Path, uri: str
) -> None:
    (tmp_path / "outside.json").write_text("{}", encoding="utf-8")
    files = local_files(str(tmp_path / "inner" / "template.yaml"))
    assert files is not None and files(uri) is None


def test_when_a_template_has_no_state_machine_then_it_describes_no_workflow(
    analyzer: Analyzer,
) -> None:
    template = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
    report = analyzer.analyze(template)
    assert report.verdict.value == "UNDERSPECIFIED"
    assert [n.code for n in report.notes] == ["SCHEMA_VALUE_IGNORED"]
