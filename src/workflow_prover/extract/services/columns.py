"""A table's system column: '| # | Step | System | ... |' names each row's system.

A product no lexicon knows is read after a place preposition ("in Exact Online"); in a
table, its column says what the cell is. A cell under a header of the SYSTEM_COLUMN word
class ("System", "Service", "Target") holds the name of the system that row acts on, so its
words (up to three, not a placeholder such as "–") name a service.
"""

from __future__ import annotations

from workflow_prover.annotate.types import Annotation, Tok
from workflow_prover.extract.services.catalog import ServiceCatalog, SvcMention

_PIPE = "|"


def column_services(ann: Annotation, taken: set[int], catalog: ServiceCatalog) -> list[SvcMention]:
    """The services named by the cells of a table's system column (see the module doc)."""
    toks = ann.toks
    if not any(t.text[:1] == _PIPE and t.line_start for t in toks):
        return []
    lines = _table_lines(toks)
    out: list[SvcMention] = []
    column: int | None = None
    last_line = -2
    for line, cells in lines:
        if line != last_line + 1:
            column = None  # a new table
        last_line = line
        if column is None:
            column = _system_column(toks, cells, catalog.words.system_column)
            continue
        if column < 0 or column >= len(cells) or _separator(toks, cells):
            continue
        mention = _cell_service(ann, cells[column], taken, catalog)
        if mention is not None:
            out.append(mention)
            taken.update(range(mention.start, mention.end))
    return out


def _table_lines(toks: list[Tok]) -> list[tuple[int, list[tuple[int, int]]]]:
    """Each line that opens with '|', with its cells as token ranges between the pipes."""
    out: list[tuple[int, list[tuple[int, int]]]] = []
    i = 0
    while i < len(toks):
        if not (toks[i].line_start and toks[i].text[:1] == _PIPE):  # "|---|" may be one token
            i += 1
            continue
        line = toks[i].line
        cells: list[tuple[int, int]] = []
        start = i + 1
        j = i + 1
        while j < len(toks) and toks[j].line == line:
            if toks[j].text == _PIPE:
                cells.append((start, j))
                start = j + 1
            j += 1
        out.append((line, cells))
        i = j
    return out


def _system_column(toks: list[Tok], cells: list[tuple[int, int]], heads: frozenset[str]) -> int:
    """The index of the header cell that is one system word, or -1 (no such column)."""
    for k, (lo, hi) in enumerate(cells):
        words = [t.norm for t in toks[lo:hi] if t.text[:1].isalnum()]
        if len(words) == 1 and words[0] in heads:
            return k
    return -1


def _separator(toks: list[Tok], cells: list[tuple[int, int]]) -> bool:
    return all(all(set(t.text) <= set("-:") for t in toks[lo:hi]) for lo, hi in cells)


def _cell_service(
    ann: Annotation, cell: tuple[int, int], taken: set[int], catalog: ServiceCatalog
) -> SvcMention | None:
    toks = ann.toks
    lo, hi = cell
    if hi - lo == 0 or hi - lo > 3 or any(k in taken for k in range(lo, hi)):
        return None  # empty, a phrase, or a service some lexicon already names
    if not all(t.text[:1].isalnum() for t in toks[lo:hi]) or not toks[lo].text[:1].isupper():
        return None  # "–", "n/a", a path; "internal": no name
    name = ann.text[toks[lo].start : toks[hi - 1].end]
    info = catalog.info(name, "hosting_api", "generic.system_column", generic=True)
    return SvcMention(info, lo, hi)
