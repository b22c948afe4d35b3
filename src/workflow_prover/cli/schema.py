"""`workflow-prover schema`: the JSON Schema of the Prover's workflow format, or with
`--report` of the JSON report (the one the MCP tool advertises as its output schema)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from workflow_prover.cli.base import EXIT_OK, emit
from workflow_prover.cli.output import Style

if TYPE_CHECKING:
    from workflow_prover.cli.base import SubParsers


def add_schema_command(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of the Prover's workflow format (or of its report)",
        description="Print the JSON Schema (draft 2020-12) of the Prover's own workflow "
        "definition format: steps with service, action, error path, retry policy, idempotency "
        "key and credential source. Validate your documents against it, or write them with "
        "an editor that reads JSON Schemas. With --report: the schema of the JSON report.",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="print the JSON Schema of the report (check --format json, the MCP tool's output)",
    )
    parser.set_defaults(handler=run_schema)


def run_schema(args: argparse.Namespace) -> int:
    if args.report:
        from workflow_prover.report.schema import report_schema_text

        text = report_schema_text()
    else:
        from workflow_prover.schemas.prover import prover_schema_text

        text = prover_schema_text()
    out = sys.stdout
    emit(out, text, Style.for_stream(out))
    return EXIT_OK
