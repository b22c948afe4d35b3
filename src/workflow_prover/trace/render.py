"""The trace as text, one line per item with the rule/via ids that decided it (a Jinja2
template, as every message of the Prover)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined

from workflow_prover.trace.model import Trace

_MAX_QUOTE = 100


def _quoted(text: str) -> str:
    """One line, in quotes, cut at `_MAX_QUOTE` characters."""
    text = " ".join(text.split())
    if len(text) > _MAX_QUOTE:
        text = text[: _MAX_QUOTE - 1].rstrip() + "…"
    return f'"{text}"'


def render_trace(trace: Trace) -> str:
    env = Environment(
        loader=PackageLoader("workflow_prover.trace", "templates"),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["q"] = _quoted
    return env.get_template("trace.j2").render(t=trace)
