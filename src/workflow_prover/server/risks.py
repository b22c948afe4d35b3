"""Risks the user accepts (the tool's `accept`, issue 9), kept with the session.

The session's accepted risks are stored in each turn's report (`accepted`), so the next turn
applies them again; a later acceptance of the same code and target replaces the earlier one.
"""

from __future__ import annotations

from typing import Any

from workflow_prover.models import Acceptance
from workflow_prover.server.pool import Reviewed


def accepted(
    previous: dict[str, Any] | None, new: tuple[Acceptance, ...]
) -> tuple[Acceptance, ...]:
    """The session's accepted risks: those stored with the last turn, then this call's (a new
    one for the same code and target replaces the old, with its reason)."""
    stored = [Acceptance.model_validate(a) for a in (previous or {}).get("accepted", [])]
    out = {(a.code, a.step, a.service): a for a in [*stored, *new]}
    return tuple(out.values())


def with_accepted(reviewed: Reviewed, accept: tuple[Acceptance, ...]) -> Reviewed:
    """The report stores the session's accepted risks, so the next turn applies them too."""
    report = {**reviewed.report, "accepted": [a.model_dump(mode="json") for a in accept]}
    return Reviewed(reviewed.text, report, reviewed.request, reviewed.reading)
