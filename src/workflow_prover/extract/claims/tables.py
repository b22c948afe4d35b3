"""Claims a table states by its columns: a header cell names a mechanism, a row's cell says it.

"| # | step | system | on failure | dedupe |" then "| 2 | reserve stock | inventory-svc |
... | order id |": the `dedupe` column's cell "order id" states that step's de-duplication,
though the cell holds no cue of its own. A cell that does hold a cue was read as it stands
(the prose reader sees every cell); an empty cell or "n/a" states nothing; "no", "none" or
"-" deny the header's mechanism for that row, and a cell's own modifiers hold ("planned",
"not yet"). The claim covers the steps read from the row.
"""

from __future__ import annotations

import itertools

from workflow_prover.annotate.types import Group, Mention, Tok
from workflow_prover.extract.claims.drafts import ClaimDraft, ScopeDraft, Targets
from workflow_prover.extract.claims.modality import ASSERTED, MODALITY, Reading

RULE = "table.column_header"
_SAYS_NOTHING = frozenset(("n/a", "na", "tbd", "?", "unknown"))
_DENIES = frozenset(("no", "none", "-", "—", "–", "false", "nope", "never", "nothing"))


def column_claims(targets: Targets) -> list[ClaimDraft]:
    """The claims of every table body cell under a header cell that names a mechanism."""
    view = targets.view
    blocks = view.lay.blocks
    if blocks is None or "table_header" not in blocks.kinds:
        return []
    lines = _lines(view.toks)
    cues = view.ann.of(Group.CUE)
    out: list[ClaimDraft] = []
    header: dict[int, str] = {}
    for line, kind in enumerate(blocks.kinds):
        if kind == "table_header":
            header = _header_kinds(lines.get(line, []), cues)
        elif kind == "table_row" and header:
            # a body cell's own cues are the ones the reading kept ("skip if order_ref is in
            # `notified`": a name in code is no alerting cue, so the column's claim holds)
            out += _row_claims(targets, lines.get(line, []), header, view.cues)
        elif kind != "table_sep":
            header = {}
    return out


def _lines(toks: list[Tok]) -> dict[int, list[Tok]]:
    out: dict[int, list[Tok]] = {}
    for tok in toks:
        out.setdefault(tok.line, []).append(tok)
    return out


def _cells(row: list[Tok]) -> list[tuple[int, int]]:
    """The token spans [start, end) of the row's cells, between its pipes."""
    pipes = [t.i for t in row if t.text == "|"]
    return [(a + 1, b) for a, b in itertools.pairwise(pipes)]


def _header_kinds(row: list[Tok], cues: list[Mention]) -> dict[int, str]:
    """Column index -> the claim kind its header cell names ('dedupe', 'on failure: DLQ')."""
    out: dict[int, str] = {}
    for column, (lo, hi) in enumerate(_cells(row)):
        named = [c for c in cues if lo <= c.start and c.end <= hi]
        if len({c.label for c in named}) == 1:
            out[column] = named[0].label
    return out


def _row_claims(
    targets: Targets, row: list[Tok], header: dict[int, str], cues: list[Mention]
) -> list[ClaimDraft]:
    view = targets.view
    toks = view.toks
    if not row:
        return []
    steps = tuple(s.start for s in targets.steps if toks[s.start].line == row[0].line)
    if not steps:
        return []
    out: list[ClaimDraft] = []
    for column, (lo, hi) in enumerate(_cells(row)):
        kind = header.get(column)
        if kind is None or hi <= lo or any(lo <= c.start < hi for c in cues):
            continue
        said = "".join(t.norm for t in toks[lo:hi])  # "n / a" -> "n/a"
        if said in _SAYS_NOTHING:
            continue
        reading = _cell_reading(view.ann.of(Group.CONTEXT), lo, hi)
        if said in _DENIES:
            reading = Reading("negated")
        scope = ScopeDraft(general=False, steps=steps, via=("scope.table_row",))
        out.append(ClaimDraft(kind, reading, scope, lo, hi, view.lay.clause_of[lo], RULE))
    return out


def _cell_reading(modifiers: list[Mention], lo: int, hi: int) -> Reading:
    """The cell's own modifiers hold ('planned for Q3', 'not yet', 'maybe?'): the first one
    in the cell sets the claim's modality; none, and the cell asserts it. A pseudo-cue
    cancels the cue inside it, as in prose ('create only if absent' negates nothing)."""
    inside = [m for m in modifiers if lo <= m.start < hi]
    pseudo = [m for m in inside if m.direction == "PSEUDO"]
    for m in inside:
        if m.label not in MODALITY or m.direction == "PSEUDO":
            continue
        if any(p.start <= m.start and m.end <= p.end for p in pseudo):
            continue
        return Reading(MODALITY[m.label], (m,))
    return ASSERTED
