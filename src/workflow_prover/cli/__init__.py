"""The command line: `workflow-prover check [FILE|GLOB ...|-] [options]`, `workflow-prover
schema [--report]`, `workflow-prover assist-prompt [FILE|-]` and `workflow-prover serve`.

The package, for whoever extends it:

- `main`: the parser built from `COMMANDS` and the entry point; a subcommand is one module
  with an `add_<name>_command(subparsers)` function, registered by one entry in `COMMANDS`;
- `arguments`: the `check` command's options; `settings`: those options over the
  configuration file (`config`) over the defaults;
- `inputs`: FILE arguments and stdin, read and validated before the analyzer is built, so an
  input error never reaches it;
- `check`: the run; `gate`: which reports fail it (`--fail-on`, suppressions, `baseline`);
- `output` (the text report, colour, the summary), `formats` (one `format_<name>` per
  `--format`, listed in `FORMATS`) and `sarif`.

Importing this package is cheap: the analyzer (spaCy, lexicons) is imported inside the command
that needs it, so `workflow-prover --help` stays instant. Nothing here prints the raw input:
reports are redacted by the analyzer; error messages name the file and the problem, never its
content.
"""

from __future__ import annotations

from workflow_prover.cli.base import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE
from workflow_prover.cli.check import exit_code
from workflow_prover.cli.inputs import MAX_INPUT_BYTES, PROG, UsageError, decode_input
from workflow_prover.cli.main import COMMANDS, build_parser, main
from workflow_prover.cli.output import render_text

__all__ = [
    "COMMANDS",
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_USAGE",
    "MAX_INPUT_BYTES",
    "PROG",
    "UsageError",
    "build_parser",
    "decode_input",
    "exit_code",
    "main",
    "render_text",
]
