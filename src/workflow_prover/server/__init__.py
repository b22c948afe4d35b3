"""The Prover as an MCP server (tool `validate_workflow_orchestration`).

`build_server` (in `app`) makes the server from an Analyzer and a session store; `serve` (in
`main`) is the `workflow-prover serve` command. Importing this package loads neither the MCP
SDK nor spaCy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["ServerSettings", "build_server", "serve"]

if TYPE_CHECKING:
    from workflow_prover.server.app import ServerSettings, build_server
    from workflow_prover.server.main import serve


def __getattr__(name: str) -> Any:
    if name in ("ServerSettings", "build_server"):
        from workflow_prover.server import app

        return getattr(app, name)
    if name == "serve":
        from workflow_prover.server import main

        return main.serve
    raise AttributeError(name)
