"""`workflow-prover serve`: the MCP server (stdio by default, or streamable HTTP)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflow_prover.cli.base import SubParsers


def add_serve_command(subparsers: SubParsers) -> None:
    from workflow_prover.server import main as server_main  # cheap: no MCP or spaCy import

    parser = subparsers.add_parser(
        "serve", help=server_main.HELP, description=server_main.DESCRIPTION
    )
    server_main.add_serve_arguments(parser)
    parser.set_defaults(handler=server_main.run)
