"""Workflow Orchestrator Prover: proves or refutes the resilience of a workflow design.

`analyze(text)` and `analyze_turns(turns)` return a `Report`. Importing the package is cheap:
the analyzer (spaCy, lexicons) loads on the first call; the import itself only checks that the
compiled modules, if any were built, match their sources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workflow_prover import compiled

__version__ = "0.1.0"
__all__ = ["Analyzer", "Report", "Verdict", "analyze", "analyze_turns"]

if TYPE_CHECKING:
    from workflow_prover.analyzer import Analyzer, analyze, analyze_turns
    from workflow_prover.models import Report, Verdict

# The one thing done on import: compiled modules (`make setup`) that no longer match their
# sources are ignored, before any of them can be imported (see `compiled`).
compiled.guard(__name__)


def __getattr__(name: str) -> Any:
    if name in ("Analyzer", "analyze", "analyze_turns"):
        from workflow_prover import analyzer

        return getattr(analyzer, name)
    if name in ("Report", "Verdict"):
        from workflow_prover import models

        return getattr(models, name)
    raise AttributeError(name)
