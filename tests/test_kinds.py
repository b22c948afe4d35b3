"""The claim kinds' table: one row per kind, its rival group, priority and meaning."""

from __future__ import annotations

import pytest

from workflow_prover.graph.kinds import KindRow, build_table, kind_table
from workflow_prover.models import CheckId, ClaimKind
from workflow_prover.rules.book import RuleTableError

K = ClaimKind


def test_when_the_table_is_loaded_then_every_claim_kind_has_one_row_with_a_meaning() -> None:
    table = kind_table()
    assert list(table.rows) == list(ClaimKind)
    assert all(row.meaning for row in table.rows.values())


@pytest.mark.parametrize(
    ("group", "rivals"),
    [
        ("terminal", {K.TERMINAL_PATH, K.COMPENSATION, K.SWALLOW, K.NO_HANDLING}),
        ("retry_policy", {K.BACKOFF_EXPONENTIAL, K.RETRY_FIXED, K.RETRY_IMMEDIATE}),
        ("idempotency", {K.IDEMPOTENCY, K.IDEMPOTENCY_STORE, K.UNSTABLE_KEY}),
        (
            "credential_source",
            {K.VAULT, K.WORKLOAD_IDENTITY, K.HARDCODED, K.ENV_VAR, K.NO_CREDENTIAL},
        ),
    ],
)
def test_when_mechanisms_are_rivals_then_they_share_a_group_of_one_check(
    group: str, rivals: set[ClaimKind]
) -> None:
    table = kind_table()
    assert table.groups[group] == rivals
    assert len({table.rows[k].check for k in rivals}) == 1


@pytest.mark.parametrize(
    ("kind", "check", "handles_failure"),
    [
        (K.TERMINAL_PATH, CheckId.FAILURE_HANDLING, True),
        (K.NO_HANDLING, CheckId.FAILURE_HANDLING, False),
        (K.JITTER, CheckId.RATE_LIMITING, True),
        (K.VAULT, CheckId.CREDENTIALS, False),
        (K.WEBHOOK, None, False),
    ],
)
def test_when_a_kind_is_looked_up_then_its_row_says_its_check_and_whether_it_handles_failure(
    kind: ClaimKind, check: CheckId | None, handles_failure: bool
) -> None:
    row = kind_table().rows[kind]
    assert (row.check, kind in kind_table().failure_handling) == (check, handles_failure)


def _rows(*kinds: ClaimKind) -> list[KindRow]:
    return [KindRow(kind=k, check=None, group=None, meaning="m") for k in kinds]


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        pytest.param(_rows(*list(ClaimKind)[1:]), "no row for terminal_path", id="missing"),
        pytest.param(_rows(*ClaimKind, K.VAULT), "vault has two rows", id="duplicate"),
    ],
)
def test_when_the_table_misses_or_repeats_a_kind_then_it_does_not_load(
    rows: list[KindRow], error: str
) -> None:
    with pytest.raises(RuleTableError, match=error):
        build_table(rows)
