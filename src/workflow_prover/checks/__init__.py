"""The four checks of the rubric, listed explicitly (no registration by import)."""

from __future__ import annotations

from workflow_prover.checks import credentials, failure_handling, idempotency, rate_limiting
from workflow_prover.checks.base import Check

CHECKS: tuple[Check, ...] = (
    failure_handling.CHECK,
    idempotency.CHECK,
    rate_limiting.CHECK,
    credentials.CHECK,
)

__all__ = ["CHECKS", "Check"]
