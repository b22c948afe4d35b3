"""The server's icon (`serverInfo.icons`): an SVG shipped with the package, sent as a data URI
so that a client shows it without fetching anything from the network."""

from __future__ import annotations

import base64
from importlib import resources

from mcp.types import Icon

MIME = "image/svg+xml"


def server_icon() -> Icon:
    svg = resources.files("workflow_prover.server").joinpath("icon.svg").read_bytes()
    data = base64.b64encode(svg).decode("ascii")
    return Icon(src=f"data:{MIME};base64,{data}", mime_type=MIME, sizes=["any"])
