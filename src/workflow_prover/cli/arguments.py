"""The `check` command's arguments. Options a configuration file can set default to None, so
`settings` can tell "not given" from a value and let the flag win over the file."""

from __future__ import annotations

import argparse

from workflow_prover.cli.base import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE
from workflow_prover.cli.formats import FORMATS
from workflow_prover.cli.gate import FAIL_ON
from workflow_prover.cli.inputs import MAX_INPUT_BYTES, _size
from workflow_prover.cli.output import COLOR_MODES

EPILOG = (
    f"exit codes: {EXIT_OK} every report passes (see --fail-on); {EXIT_FINDINGS} a report fails; "
    f"{EXIT_USAGE} usage or input error (missing, unreadable, binary, empty piped or too large "
    f"input, a bad configuration or baseline file); {EXIT_INTERNAL} internal error."
)


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    _inputs(parser)
    _outputs(parser)
    _policy(parser)
    _adoption(parser)
    _assist(parser)


def _inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help=f"design document (UTF-8 text, at most {_size(MAX_INPUT_BYTES)}); '-' for stdin; "
        "a quoted glob ('docs/**/*.md') is expanded, ** included",
    )
    parser.add_argument(
        "--stdin-filename",
        default=None,
        metavar="NAME",
        help="the name stdin is reported under (default: '-', shown as <stdin>)",
    )


def _outputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=list(FORMATS),
        default=None,
        help="output format (default: text; concise: path:line:col: CODE [severity] message; "
        "github: GitHub Actions annotations; sarif: SARIF 2.1.0 for code scanning)",
    )
    parser.add_argument(
        "-o", "--output-file", default=None, metavar="PATH", help="write the output to PATH"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print only failing files; nothing on success"
    )
    parser.add_argument(
        "--color",
        choices=COLOR_MODES,
        default="auto",
        help="colour: auto (default: on a terminal, unless NO_COLOR is set; FORCE_COLOR forces "
        "it), always or never",
    )


def _policy(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="treat every warning as a blocker (--no-strict overrides a configuration file)",
    )
    parser.add_argument(
        "--ignore",
        action="extend",
        default=None,
        metavar="CODE[,CODE...]",
        type=ignorable_list,
        help="suppress every finding with these codes (comma-separated, repeatable); suppressed "
        "findings stay in the output, marked, and do not affect the verdict. In a document: "
        "<!-- prover: ignore CODE -- reason -->",
    )
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default=None,
        help="what fails the run: blocker (default: a failing verdict), warning (any finding), "
        "never (report, but exit 0)",
    )


def _adoption(parser: argparse.ArgumentParser) -> None:
    config = parser.add_mutually_exclusive_group()
    config.add_argument(
        "--config",
        default=None,
        metavar="PATH",
        help="the configuration file (default: the nearest .workflow-prover.toml, or "
        "pyproject.toml with [tool.workflow-prover], from the working directory upwards)",
    )
    config.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    parser.add_argument(
        "--baseline",
        default=None,
        metavar="FILE",
        help="report only findings not recorded in FILE (recorded ones are listed as "
        "baselined and do not fail)",
    )
    parser.add_argument(
        "--write-baseline",
        default=None,
        metavar="FILE",
        help="record today's findings in FILE by their fingerprints (then exit 0)",
    )


def _assist(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--assist-answers",
        default=None,
        metavar="FILE.jsonl",
        help="replay recorded answers of a model (one JSON line per text: "
        '{"sha256": ..., "answer": {...}}, see assist-prompt) through the same grounding '
        "and merge as the server's assisted reading",
    )
    parser.add_argument(
        "--assist",
        choices=("auto", "always", "never"),
        default="auto",
        help="with --assist-answers: when the recorded answer stands in for the model's: auto "
        "(default) when the rules' reading is uncertain, always, or never",
    )


def ignorable_list(value: str) -> list[str]:
    """`A,B` as well as `A`: each an ignorable finding code."""
    codes = [part for part in value.split(",") if part.strip()]
    if not codes:
        raise argparse.ArgumentTypeError("expected a finding code")
    return [ignorable(code) for code in codes]


def ignorable(code: str) -> str:
    from workflow_prover.codes import CODES, UNSUPPRESSIBLE  # cheap: no spaCy

    code = code.strip().upper()
    if code in UNSUPPRESSIBLE:
        raise argparse.ArgumentTypeError(f"{code} cannot be ignored: remove and rotate the secret")
    if code not in CODES:
        raise argparse.ArgumentTypeError(f"unknown finding code {code[:60]!r}")
    return code
