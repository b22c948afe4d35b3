"""`workflow-prover trace`: every stage of the reading of a text, for a maintainer asking
why the Prover read it as it did (each line names the rule or heuristic that decided)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from workflow_prover.cli.base import EXIT_OK, emit
from workflow_prover.cli.inputs import PROG, UsageError, _isatty, read_source
from workflow_prover.cli.output import Style

if TYPE_CHECKING:
    from workflow_prover.cli.base import SubParsers


def add_trace_command(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "trace",
        help="show how a text was read, stage by stage, with the rule that decided each item",
        description="Print every stage of the Prover's reading of FILE ('-' or none: stdin): "
        "tokens, lexicon mentions by group, blocks and sections, clauses with their frames "
        "(adverbial, actions with their modality and its cues, the role of each service), "
        "steps, claims with their scope, and findings, each with the id of the rule or "
        "heuristic that decided it. Secrets are redacted as in the report.",
    )
    parser.add_argument("file", nargs="?", default="-", metavar="FILE", help="design document")
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default) or json (the same trace as data)",
    )
    parser.set_defaults(handler=run_trace)


def run_trace(args: argparse.Namespace) -> int:
    if args.file == "-" and _isatty(sys.stdin):
        raise UsageError(f"no input: give a FILE, or pipe the text (see '{PROG} trace --help')")
    source = read_source(args.file, sys.stdin)
    from workflow_prover.analyzer import default_analyzer  # lazy: spaCy loads here
    from workflow_prover.trace import build_trace, render_trace

    trace = build_trace(default_analyzer(), source.text)
    out = sys.stdout
    style = Style.for_stream(out)
    text = trace.model_dump_json(indent=2) + "\n" if args.format == "json" else render_trace(trace)
    emit(out, text, style)
    return EXIT_OK
