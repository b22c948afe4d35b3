"""`workflow-prover rules [--format text|json]` and `workflow-prover explain CODE`.

Registered by the command line with `add_rules_command` and `add_explain_command`. Importing
this module is cheap (argparse only): the tables and templates load when a command runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

SubParsers = argparse._SubParsersAction  # the command line's subparsers


def add_rules_command(subparsers: SubParsers[Any]) -> None:
    parser = subparsers.add_parser(
        "rules",
        help="list every finding and note code (code, check, severity, title)",
        description="List every code the Prover reports: the finding codes of the four checks "
        "(severity blocker or warning) and the notes about the document itself (check "
        "'document'). 'workflow-prover explain CODE' says more about one.",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default): aligned columns; json: an array of {code, check, severity, "
        "title, help_uri}",
    )
    parser.set_defaults(handler=run_rules)


def add_explain_command(subparsers: SubParsers[Any]) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="explain one finding or note code",
        description="Print, as Markdown, what CODE means, what satisfies it, an example that "
        "raises it and one that does not, and how to suppress it (the text of "
        "docs/rules/CODE.md).",
    )
    parser.add_argument("code", metavar="CODE", type=_known_code, help="e.g. NO_JITTER")
    parser.set_defaults(handler=run_explain)


def _known_code(value: str) -> str:
    from workflow_prover.rules.book import rule_book

    code = value.strip().upper()
    book = rule_book()
    if code not in book.codes and code not in book.notes:
        shown = code[:60].encode("ascii", "backslashreplace").decode()
        raise argparse.ArgumentTypeError(
            f"unknown code {shown!r}: 'workflow-prover rules' lists them"
        )
    return code


def run_rules(args: argparse.Namespace) -> int:
    from workflow_prover.rules.book import rule_book
    from workflow_prover.rules.docs import rules_json, rules_table

    book = rule_book()
    return _print(sys.stdout, rules_json(book) if args.format == "json" else rules_table(book))


def run_explain(args: argparse.Namespace) -> int:
    from workflow_prover.rules.book import rule_book
    from workflow_prover.rules.docs import explain

    return _print(sys.stdout, explain(rule_book(), args.code))


def _print(out: TextIO, text: str) -> int:
    try:
        out.write(text)
        out.flush()
    except BrokenPipeError:  # `| head`: the reader went away, which is not a failure
        pass
    return 0
