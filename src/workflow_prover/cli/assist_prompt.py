"""`workflow-prover assist-prompt`: the sampling request the server sends the client's model."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from workflow_prover.cli.base import EXIT_OK, emit
from workflow_prover.cli.inputs import PROG, UsageError, _isatty, read_source
from workflow_prover.cli.output import Style

if TYPE_CHECKING:
    from workflow_prover.cli.base import SubParsers


def add_assist_prompt_command(subparsers: SubParsers) -> None:
    parser = subparsers.add_parser(
        "assist-prompt",
        help="print the sampling request the server sends the client's model for a text",
        description="Print, as JSON, the exact MCP sampling request the server sends the "
        "client's model when it asks for help reading FILE ('-' or none: stdin): the system "
        "prompt, the messages (the redacted text, never a secret), max_tokens, temperature "
        "and include_context, and the sha256 under which an answers file records the answer.",
    )
    parser.add_argument("file", nargs="?", default="-", metavar="FILE", help="design document")
    parser.add_argument(
        "--max-tokens",
        type=_positive_int,
        default=None,
        help="the token bound of the request (default: the server's, 4096)",
    )
    parser.set_defaults(handler=run_assist_prompt)


def _positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value[:20]!r}")
    return int(value)


def run_assist_prompt(args: argparse.Namespace) -> int:
    if args.file == "-" and _isatty(sys.stdin):
        raise UsageError(
            f"no input: give a FILE, or pipe the text (see '{PROG} assist-prompt --help')"
        )
    source = read_source(args.file, sys.stdin)
    from workflow_prover.analyzer import default_analyzer  # lazy: spaCy loads here
    from workflow_prover.assist.request import DEFAULT_MAX_TOKENS, build_request

    text = default_analyzer().redact(source.text)
    request = build_request([text], args.max_tokens or DEFAULT_MAX_TOKENS)
    out = sys.stdout
    style = Style.for_stream(out)
    emit(out, json.dumps(request.to_json(), indent=2, ensure_ascii=not style.unicode) + "\n", style)
    return EXIT_OK
