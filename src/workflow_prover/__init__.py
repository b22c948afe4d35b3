"""Workflow Orchestrator Prover: proves or refutes the resilience of a workflow design.

`analyze(text)` and `analyze_turns(turns)` return a `Report`. Importing the package is cheap:
the analyzer (spaCy, lexicons) loads on the first call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Analyzer", "Report", "Verdict", "analyze", "analyze_turns"]

if TYPE_CHECKING:
    from workflow_prover.analyzer import Analyzer, analyze, analyze_turns
    from workflow_prover.models import Report, Verdict


def __getattr__(name: str) -> Any:
    if name in ("Analyzer", "analyze", "analyze_turns"):
        from workflow_prover import analyzer

        return getattr(analyzer, name)
    if name in ("Report", "Verdict"):
        from workflow_prover import models

        return getattr(models, name)
    raise AttributeError(name)
