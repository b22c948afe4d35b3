"""Layout: list items, sentences, arrow chains and clauses of a text.

Steps are clauses with an action, and a mechanism's scope is decided clause by clause, so
the split matters: "we dedupe on the ID, and the Twilio token comes from Secrets Manager" is
two clauses (the dedupe claim must not take Twilio as its scope). Parentheses never split:
"(exponential backoff; failures go to wo-dlq)" belongs to the step it follows.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from itertools import compress, count
from operator import attrgetter

from workflow_prover.annotate.types import Annotation, Group, Mention, Tok, small_number
from workflow_prover.extract.layout.blocks import Blocks
from workflow_prover.extract.layout.grammar import (
    ADVERBS,
    AFTER_COMMA,
    ARROWS,
    AUXILIARIES,
    BULLETS,
    CLAUSE_OPENERS,
    DETERMINERS,
    MARKUP,
    PREPOSITIONS,
    SENTENCE_END,
    SEQUENCE_WORDS,
    SUBJECT_PRONOUNS,
    once_adverb,
)
from workflow_prover.extract.layout.verbs import is_verbal, verb_form
from workflow_prover.lexicon.words import WordClasses

_ABBREVIATIONS = frozenset(
    (
        "e.g.",
        "i.e.",
        "vs.",
        "etc.",
        "p.s.",
        "ps.",
        "mr.",
        "mrs.",
        "dr.",
        "inc.",
        "ltd.",
        "co.",
        "no.",
        "approx.",
        "cf.",
        "st.",
        "jr.",
        "sr.",
        "a.m.",
        "p.m.",
        "u.s.",
        "fig.",
        "incl.",
        "min.",
        "max.",
    )
)
_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")
_BRACKETS = _OPEN | _CLOSE
_TEXT = attrgetter("text")
_LIST_JOINERS = frozenset(("or", "nor", "and"))


@dataclass(slots=True)
class Item:
    index: int
    start: int
    end: int
    label: int | None  # the user's number ("3." -> 3); None for bullets
    body: int = 0  # first token after the marker


@dataclass(slots=True)
class Clause:
    index: int
    start: int
    end: int
    sentence: int
    item: int | None = None  # list item containing it
    chain: int | None = None  # arrow chain (sentence) containing it
    segment: int = 0  # position in the arrow chain
    trigger: bool = False  # "when an order arrives from Shopify": an event, not an action
    after_colon: int | None = None  # the clause before a ':' that this one elaborates
    role: str = "design"  # the role of its section (see `blocks`)
    skipped: bool = False  # a heading, metadata or a table header: no statement at all


@dataclass(slots=True)
class Layout:
    sentences: list[tuple[int, int]]
    clauses: list[Clause]
    items: list[Item]
    clause_of: list[int] = field(default_factory=list)
    sentence_of: list[int] = field(default_factory=list)
    depth: list[int] = field(default_factory=list)
    blocks: Blocks | None = None
    code: list[bool] = field(default_factory=list)  # per token: inside `inline code`


def layout(
    ann: Annotation,
    words: WordClasses,
    services: set[int] | None = None,
    blocks: Blocks | None = None,
) -> Layout:
    """Split a text into items, sentences and clauses; `words` are the lexicons' word
    classes; `services` are the tokens of services a verb can act on (not where the workflow
    runs: "a Lambda reads" has a verb); `blocks` says which lines are headings or metadata
    and which section each line is in."""
    toks = ann.toks
    items = _items(toks, words.step_marker)
    if blocks is not None:
        items = _with_table_rows(toks, items, blocks)
    sentences = _sentences(toks, items, blocks)
    depth, code = _depths_and_code(ann.text, list(map(_TEXT, toks)), sentences)
    if services is None:
        services = {i for m in ann.of(Group.SERVICE) for i in range(m.start, m.end)}
    verbs = {m.start: m for m in ann.of(Group.VERB)}
    negations = {m.start for m in ann.of(Group.CONTEXT) if m.label == "NEGATED"}
    item_of: list[int | None] = [None] * len(toks)
    for item in items:
        item_of[item.start : item.end] = [item.index] * (item.end - item.start)
    clauses: list[Clause] = []
    sentence_of = [0] * len(toks)
    for s_index, (s, e) in enumerate(sentences):
        sentence_of[s:e] = [s_index] * (e - s)
    # an arrow outside brackets makes its sentence a chain of clauses
    chains = {
        sentence_of[i]
        for i, t in enumerate(toks)
        if t.text in ARROWS and depth[i] == 0 and _within(sentences, sentence_of[i], i)
    }
    for s_index, (s, e) in enumerate(sentences):
        chain = s_index if s_index in chains else None
        _split(
            toks,
            s,
            e,
            s_index,
            depth,
            code,
            verbs,
            services,
            item_of,
            chain,
            clauses,
            words,
            negations,
        )
    clause_of = [0] * len(toks)
    for clause in clauses:
        clause_of[clause.start : clause.end] = [clause.index] * (clause.end - clause.start)
        if blocks is not None:
            line = toks[clause.start].line
            clause.role = blocks.role(line)
            clause.skipped = blocks.skipped(line)
    if blocks is not None and blocks.labelled:
        _history_turns(toks, clauses, blocks, words)
    return Layout(sentences, clauses, items, clause_of, sentence_of, depth, blocks, code)


def _history_turns(
    toks: list[Tok], clauses: list[Clause], blocks: Blocks, words: WordClasses
) -> None:
    """'History: v1 retried NetSuite every 30 seconds. That loop was replaced by exponential
    backoff ..., and failures are written to ...': a paragraph labelled as history narrates
    up to the present, and a word that turns to it (now, today, 'replaced by') ends the
    history there: that clause and the rest of the paragraph are the design. Only for a
    labelled paragraph: a heading's section ('## History') stays history to its end."""
    turned: set[int] = set()  # the paragraphs (their first line) that reached the present
    for clause in clauses:
        paragraph = blocks.labelled.get(toks[clause.start].line)
        if paragraph is None or clause.role != "history":
            continue
        if paragraph not in turned and _turns_to_present(toks, clause, words):
            turned.add(paragraph)
        if paragraph in turned:
            clause.role = "design"


def _turns_to_present(toks: list[Tok], clause: Clause, words: WordClasses) -> bool:
    for k in range(clause.start, clause.end):
        norm = toks[k].norm
        if norm in words.present_turn:
            return True
        if norm in words.replaced_word and k + 1 < clause.end and toks[k + 1].norm == "by":
            return True
    return False


def _within(sentences: list[tuple[int, int]], index: int, i: int) -> bool:
    """Is token i inside sentence `index` (a token between sentences belongs to none)?"""
    return index < len(sentences) and sentences[index][0] <= i < sentences[index][1]


# ---- list items ---------------------------------------------------------------------------


def _with_table_rows(toks: list[Tok], items: list[Item], blocks: Blocks) -> list[Item]:
    """A markdown table's body row is one item, and one sentence: '| 2 | NetSuite | create
    Sales Order | ... | TBD (maybe externalId?) |' is step 2, whatever punctuation its cells
    hold, and what its cells say is about that row. A first cell holding a small number is the
    row's label."""
    if "table_row" not in blocks.kinds:
        return items  # no body row: no token need be looked at
    rows: dict[int, list[int]] = {}
    for i, t in enumerate(toks):
        if blocks.row(t.line):
            rows.setdefault(t.line, []).append(i)
    if not rows:
        return items
    inside = {i for found in rows.values() for i in found}
    kept = [it for it in items if it.start not in inside]
    for found in rows.values():
        start, end = found[0], found[-1] + 1
        cells = [k for k in found if toks[k].text != "|"]
        first = cells[0] if cells else start
        alone = first + 1 < end and toks[first + 1].text == "|"
        kept.append(Item(0, start, end, small_number(toks[first].text) if alone else None, first))
    kept.sort(key=lambda it: it.start)
    for n, it in enumerate(kept):
        it.index = n
    return kept


def _marker(toks: list[Tok], i: int) -> tuple[int, int | None] | None:
    """(marker length, number) when a list marker starts at token i, else None."""
    t = toks[i]
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if t.text in BULLETS and t.ws:
        return 1, None
    label = small_number(t.text)
    if (
        label is not None
        and len(t.text) <= 3
        and nxt is not None
        and nxt.text in (".", ")", ":")
        and nxt.line == t.line
        and (nxt.ws or nxt.text == ")")
    ):
        return 2, label
    label = small_number(nxt.text) if nxt is not None else None
    if t.text == "(" and label is not None and i + 2 < len(toks) and toks[i + 2].text == ")":
        return 3, label
    if (
        t.norm == "step"
        and label is not None
        and i + 2 < len(toks)
        and toks[i + 2].text in (":", ".", ")", "-")
    ):
        return 3, label
    if len(t.text) == 1 and t.text.isalpha() and nxt is not None and nxt.text == ")":
        return 2, None
    return None


def _inline_markers(toks: list[Tok], step_words: frozenset[str]) -> dict[int, tuple[int, int]]:
    """'nightly: 1) GET orders 2) POST each 3) PUT the number': numbered items inside a line.

    Token index -> (marker length, number) for every marker of a run numbered 1, 2, 3...
    ("1)", "(1)", or "1." before a word) that has at least two markers on one line.
    """
    found: dict[int, tuple[int, int]] = {}
    by_line: dict[int, list[tuple[int, int, int]]] = {}
    for i, tok in enumerate(toks):
        if i > 0 and not toks[i - 1].ws and toks[i - 1].text not in ":(":
            continue
        if not tok.text[:1].isdigit() and tok.text != "(" and tok.norm not in step_words:
            continue  # a marker is a number, "(", or a step word (`_inline_marker`)
        marker = _inline_marker(toks, i, step_words)
        if marker is not None:
            by_line.setdefault(tok.line, []).append((i, *marker))
    for markers in by_line.values():
        run: list[tuple[int, int, int]] = []
        for i, size, number in markers:
            if number == (run[-1][2] + 1 if run else 1):
                run.append((i, size, number))
        if len(run) >= 2:
            found.update({i: (size, number) for i, size, number in run})
    return found


def _inline_marker(toks: list[Tok], i: int, step_words: frozenset[str]) -> tuple[int, int] | None:
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is None:
        return None
    if toks[i].norm in step_words and i + 2 < len(toks):
        number = small_number(nxt.text)  # "Step 1 fetches the order, step 2 buys a label"
        after = toks[i + 2]
        if number is not None and (after.text[:1].isalpha() or after.text in (":", ")", ".")):
            return (3, number) if after.text in (":", ")", ".") else (2, number)
    number = small_number(toks[i].text)
    if number is not None and nxt.text == ")":
        return 2, number
    if number is not None and nxt.text == "." and nxt.ws and i + 2 < len(toks):
        return (2, number) if toks[i + 2].text[:1].isalpha() else None
    if toks[i].text == "(" and i + 2 < len(toks) and toks[i + 2].text == ")":
        number = small_number(nxt.text)
        return None if number is None else (3, number)
    return None


def _fence_line(toks: list[Tok], i: int) -> bool:
    """Does the line starting at token i open or close a code fence (```)?"""
    text = ""
    for tok in toks[i : i + 3]:
        if tok.line != toks[i].line:
            break
        text += tok.text
    return text.startswith("```")


def _items(toks: list[Tok], step_words: frozenset[str]) -> list[Item]:
    inline_at = _inline_markers(toks, step_words)
    items: list[Item] = []
    open_item: Item | None = None
    open_indent = 0
    inline = False
    fenced = False  # in a code fence that an item's line opened ("2. record it in pg:")
    for i, t in enumerate(toks):
        marker = None
        if t.line_start:
            marker = _marker(toks, i) if not fenced else None
            if (
                open_item is not None
                and marker is None
                and _fence_line(toks, i)
                and (fenced or toks[i - 1].text == ":")
            ):
                fenced = not fenced  # the item's code: its own, wherever it is indented
                continue
            if open_item is not None and marker is None and not fenced and t.indent <= open_indent:
                open_item.end = i
                open_item = None
        elif i in inline_at:
            marker = inline_at[i]
            inline = True
        elif (
            open_item is not None
            and open_item.label is not None
            and small_number(t.text) == open_item.label + 1
            and i + 1 < len(toks)
            and toks[i + 1].text == ")"
            and toks[i - 1].ws
        ):
            marker = (2, open_item.label + 1)
            inline = True
        elif open_item is not None and inline and t.text in SENTENCE_END and t.ws:
            open_item.end = i + 1
            open_item, inline = None, False
            continue
        if marker is None:
            if open_item is not None and t.line_start and i > 0 and t.line > toks[i - 1].line + 1:
                open_item.end = i
                open_item = None
            continue
        if open_item is not None:
            open_item.end = i
        if t.line_start:
            inline = False
        open_item = Item(len(items), i, len(toks), marker[1], i + marker[0])
        open_indent = t.indent
        items.append(open_item)
    return [it for it in items if it.end > it.start]


# ---- sentences ----------------------------------------------------------------------------


def _is_key_line(toks: list[Tok], i: int) -> bool:
    """Does the line starting at token i look like `key: value` (YAML, JSON, headers)?"""
    for j in range(i, min(i + 5, len(toks))):
        if toks[j].line != toks[i].line:
            return False
        if toks[j].text == ":" and j > i:
            return True
    return False


def _sentences(
    toks: list[Tok], items: list[Item], blocks: Blocks | None = None
) -> list[tuple[int, int]]:
    starts = {it.start for it in items} | {it.end for it in items}
    bodies = {it.body for it in items}
    bounds = [0]
    # the lines that are table body rows (`Blocks.row`), looked up per token below
    rows = (
        {n for n, kind in enumerate(blocks.kinds) if kind == "table_row"}
        if blocks is not None
        else set()
    )
    ticks = _code_lines(toks)
    inside = False  # in `inline code` on a line whose backticks all close
    for i in range(1, len(toks)):
        prev, cur = toks[i - 1], toks[i]
        if cur.line != prev.line:
            inside = False
        elif prev.line in ticks and _toggles_code(prev.text):
            inside = not inside
        if i in bodies or (inside and cur.line == prev.line):
            continue  # "1. Receive...": the marker's full stop ends nothing; nor "`a ... b`"
        if blocks is not None and cur.line != prev.line and _block_edge(blocks, prev, cur):
            bounds.append(i)  # a heading, a metadata line, a table row stands alone
        elif cur.line == prev.line and cur.line in rows:
            continue  # a table row is one sentence
        elif i in starts or (
            prev.text in SENTENCE_END
            and (prev.ws or cur.line != prev.line)
            and not _ellipsis_goes_on(toks, i)
        ):
            bounds.append(i)
        elif (
            prev.text.endswith(".")
            and len(prev.text) > 1
            and prev.ws
            and prev.text.lower() not in _ABBREVIATIONS
            and cur.text[:1].isupper()
            and not _ellipsis_goes_on(toks, i)
        ):
            bounds.append(i)  # "throttled to 2 req/s. All secrets..." ("s." is one token)
        elif (
            prev.text in MARKUP
            and prev.ws
            and not cur.text[:1].islower()  # "(GET /candidates?since=…) go through ...": on
            and _closes_sentence(toks, i - 1)
        ):
            bounds.append(i)  # "**Duplicates.** Every write..."
        elif cur.line != prev.line and not _soft_wrap(toks, i):
            bounds.append(i)
    bounds.append(len(toks))
    spans = sorted(set(bounds))
    return [(a, b) for a, b in itertools.pairwise(spans) if b > a]


def _code_lines(toks: list[Tok]) -> set[int]:
    """The lines whose backticks open and close inline code in pairs."""
    counts: dict[int, int] = {}
    for tok in toks:
        if "`" in tok.text and _toggles_code(tok.text):
            counts[tok.line] = counts.get(tok.line, 0) + 1
    return {line for line, n in counts.items() if n % 2 == 0}


def _ellipsis_goes_on(toks: list[Tok], i: int) -> bool:
    """'[INSERT into Postgres leads ... ON CONFLICT (lead_id) DO UPDATE]': an ellipsis that
    elides part of a line's phrase (inside a bracket left open on the line, or before a
    word in lower or all upper case on the same line) ends no sentence."""
    prev, cur = toks[i - 1], toks[i]
    if prev.text not in ("...", "…") or cur.line != prev.line:
        return False
    if cur.text.islower() or (cur.text.isupper() and len(cur.text) > 1):
        return True
    depth = 0
    for k in range(i - 2, -1, -1):
        if toks[k].line != prev.line:
            break
        depth += {"]": -1, "[": 1}.get(toks[k].text, 0)
    return depth > 0


def _block_edge(blocks: Blocks, prev: Tok, cur: Tok) -> bool:
    kinds = blocks.kinds
    return any(
        kinds[line] in ("heading", "meta", "table_header", "table_sep", "table_row")
        for line in (prev.line, cur.line)
        if 0 <= line < len(kinds)
    )


def _closes_sentence(toks: list[Tok], k: int) -> bool:
    """Is token k the end of a run of markup ('**', ')') right after a full stop?"""
    while k > 0 and toks[k].text in MARKUP and not toks[k - 1].ws:
        k -= 1
        if toks[k].text in SENTENCE_END:
            return True
    return False


def _soft_wrap(toks: list[Tok], i: int) -> bool:
    """A line break inside a sentence of hard-wrapped prose (not in lists or schemas)."""
    prev, cur = toks[i - 1], toks[i]
    if cur.line > prev.line + 1 or not cur.text[:1].islower() or not cur.text.isalpha():
        return False
    if _marker(toks, i) is not None or _is_key_line(toks, i):
        return False
    line_start = i - 1
    while line_start > 0 and not toks[line_start].line_start:
        line_start -= 1
    if _is_key_line(toks, line_start) or _marker(toks, line_start) is not None:
        return False
    return (
        (prev.text.isalnum() or prev.text == ",")
        and cur.indent == toks[line_start].indent
        and prev.end - toks[line_start].start > 40
    )


def _toggles_code(text: str) -> bool:
    """Does the token open or close `inline code` (a backtick alone, or at one end only)?"""
    return text == "`" or (text.startswith("`") != text.endswith("`"))


def _depths_and_code(
    text: str, texts: list[str], sentences: list[tuple[int, int]]
) -> tuple[list[int], list[bool]]:
    """Bracket depth of every token, and whether it is inside `inline code` (after its
    opening backtick, in a sentence whose backticks all close); brackets inside inline code
    (`a[gt]=`) do not count.

    Only the tokens that are a bracket or hold a backtick change either (found in C; none
    at all in a text without those characters): every other token takes the state of the
    token before it, so the states are filled in by slices, not token by token."""
    depth = [0] * len(texts)
    code = [False] * len(texts)
    ticks = "`" in text
    if not ticks and not any(c in text for c in "()[]{}"):
        return depth, code
    marks = list(compress(count(), map(_BRACKETS.__contains__, texts)))
    if ticks:
        marks = sorted({*marks, *(i for i, x in enumerate(texts) if "`" in x)})
    k = 0
    for s, e in sentences:
        while k < len(marks) and marks[k] < s:
            k += 1
        level, inside, pos = 0, False, s
        toggles: list[int] = []
        while k < len(marks) and marks[k] < e:
            i = marks[k]
            k += 1
            if level:
                depth[pos:i] = [level] * (i - pos)
            x = texts[i]
            if _toggles_code(x):
                inside = not inside
                toggles.append(i)
            if not inside and x in _CLOSE and level > 0:
                level -= 1
            depth[i] = level
            if not inside and x in _OPEN:
                level += 1
            pos = i + 1
        if level:
            depth[pos:e] = [level] * (e - pos)
        if len(toggles) % 2 == 0:  # an unclosed backtick opens no code span
            for a, b in zip(toggles[::2], toggles[1::2], strict=True):
                code[a + 1 : b + 1] = [True] * (b - a)
    return depth, code


# ---- clauses -------------------------------------------------------------------------------


def _split(
    toks: list[Tok],
    s: int,
    e: int,
    sentence: int,
    depth: list[int],
    code: list[bool],
    verbs: dict[int, Mention],
    services: set[int],
    item_of: list[int | None],
    chain: int | None,
    out: list[Clause],
    words: WordClasses,
    negations: frozenset[int] | set[int] = frozenset(),
) -> None:
    start = s
    segment = 0
    colon_parent: int | None = None
    triggers, once_not = words.clause_trigger, words.once_not_trigger
    # a trigger word that begins a product's name ("When I Work") opens no condition
    trigger = toks[s].norm in triggers and not _once_adverb(toks, s, once_not) and s not in services
    first = len(out)  # the sentence's first clause
    chained = chain  # the chain the next clause belongs to

    def close(end: int, next_trigger: bool = False, new_segment: bool = False) -> None:
        nonlocal start, segment, trigger
        if end > start:
            out.append(
                Clause(
                    len(out),
                    start,
                    end,
                    sentence,
                    item_of[start],
                    chained,
                    segment,
                    trigger,
                    colon_parent,
                )
            )
        start = end
        trigger = next_trigger
        if new_segment:
            segment += 1

    def end_part() -> None:
        """'github calls back off; any error → triage_dlq': a semicolon ends a part of the
        sentence, and an arrow chains only the clauses of its own part."""
        nonlocal chained, first
        if chain is None:
            return
        if segment == 0:
            for k in range(first, len(out)):
                out[k].chain = None
        else:
            chained = None
        first = len(out)

    for j in range(s + 1, e):
        if depth[j] > 0 or depth[j - 1] > 0 or code[j]:
            continue  # ("with `Idempotency-Key: booking_id`": no clause ends in code)
        prev, tok = toks[j - 1], toks[j]
        if prev.text in ARROWS:
            close(j, new_segment=True)
        elif prev.text == "|":
            close(j)  # a table cell
        elif prev.text in (";", "—", "–") or (
            prev.text == "-" and prev.ws and j >= 2 and toks[j - 2].ws
        ):
            close(j)
            if prev.text == ";":
                end_part()
        elif prev.text == ":" and sum(t.text[:1].isalnum() for t in toks[start:j]) >= 5:
            parent = len(out)
            # "To close the loop on the design: once a timesheet is approved ...": the
            # clause after the colon opens with its own trigger
            opens = (
                tok.norm in triggers and j not in services and not _once_adverb(toks, j, once_not)
            )
            close(j, next_trigger=opens)
            colon_parent = parent
        elif trigger and (tok.text == "," or tok.norm in ("we", "i", "they")) and j - start > 2:
            close(j + 1 if tok.text == "," else j)
        elif (
            tok.norm in triggers
            and j > start
            and j not in services
            and not _once_adverb(toks, j, once_not)
            and prev.norm not in words.condition_introducer
        ):
            close(j, next_trigger=True)
        elif (prev.text == "," or tok.norm in _LIST_JOINERS) and _negated_verb_list(
            toks, start, j, verbs, negations
        ):  # (its own first test, made here: most tokens are neither)
            continue  # "it won't close, relabel or comment on any ticket": one negation
        elif tok.norm == "but" and _exceptive_but(toks, start, j, verbs, words.but_quantifier):
            continue  # "all apis but geo-svc retry": 'but' is 'except', no new clause
        elif (
            (tok.norm in CLAUSE_OPENERS and j > start + 1 and prev.text != ",")
            or (
                prev.text == ","
                and _starts_clause(toks, j, e, verbs, services, item_of[j], start, words)
            )
            or (
                tok.norm in ("and", "or")
                and j + 1 < e
                and _starts_clause(
                    toks, j + 1, e, verbs, services, item_of[j], start, words, after_and=True
                )
            )
        ):
            close(j)
    close(e)


def _exceptive_but(
    toks: list[Tok], start: int, j: int, verbs: dict[int, Mention], quantifiers: frozenset[str]
) -> bool:
    """'all apis but X', 'everything but the Slack post': a quantifier shortly before, and no
    verb between it and 'but'."""
    for k in range(max(start, j - 4), j):
        if toks[k].norm in quantifiers:
            return not any(k < v < j for v in verbs)
    return False


def _negated_verb_list(
    toks: list[Tok],
    start: int,
    j: int,
    verbs: dict[int, Mention],
    negations: set[int] | frozenset[int],
) -> bool:
    """At ', relabel' / 'or comment': the clause so far negates a verb, and this continues
    the list of verbs that negation governs."""
    prev = toks[j - 1]
    k = j + 1 if toks[j].norm in ("or", "nor", "and") else j
    if not (prev.text == "," or toks[j].norm in ("or", "nor", "and")) or k not in verbs:
        return False
    negation = next((n for n in range(start, j) if n in negations), None)
    # the negation governs a verb: "won't close", "does not ever close", not "without a label"
    return negation is not None and any(
        negation < v < j and all(toks[k].norm not in DETERMINERS for k in range(negation + 1, v))
        for v in verbs
    )


def _once_adverb(toks: list[Tok], i: int, not_trigger: frozenset[str]) -> bool:
    return once_adverb(toks, i, not_trigger)


def _starts_clause(
    toks: list[Tok],
    j: int,
    e: int,
    verbs: dict[int, Mention],
    services: set[int],
    item: int | None,
    start: int,
    words: WordClasses,
    after_and: bool = False,
) -> bool:
    tok = toks[j]
    k = j + 2 if j + 2 < e and toks[j + 1].norm in ADVERBS else j + 1
    if tok.norm in words.plural_subject and k < e and toks[k].norm in words.plural_predicate:
        return True  # "QBO calls back off and failures go to ...", "no dlq, failures just get"
    if tok.norm in words.plural_subject and j + 1 < e and toks[j + 1].text in ARROWS:
        return True  # "convertkit client exp backoff, failures → failed_subs table"
    if not after_and and tok.norm in AFTER_COMMA:
        # "Flexport and Coupa tokens, and the Snowflake key pair, are in Vault": a list of
        # subjects, not two clauses; "and"/"or" split only after a predicate
        return (
            tok.norm not in ("and", "or")
            or _left_predicate(toks, start, j, verbs, services)
            or any(toks[k].norm in ("we", "i", "they", "you") for k in range(start, j))
        )
    if tok.norm in SUBJECT_PRONOUNS and tok.norm not in ("that", "which", "who"):
        return True
    if tok.norm in SEQUENCE_WORDS and j + 1 < e:
        # "..., finally we text each worker": a sequence word opens the next step's clause
        nxt = toks[j + 1]
        return (nxt.norm in SUBJECT_PRONOUNS and nxt.norm not in ("that", "which", "who")) or (
            j + 1 in verbs
        )
    k = j + 1 if tok.norm in ADVERBS and j + 1 < e else j
    verb = verbs.get(k)
    # the sentence already has a subject here, so a bare "posts to Slack" is a verb
    if verb is not None and is_verbal(
        verb, toks, words, services, k - 1, item is not None, verbs.keys()
    ):
        form = verb_form(toks[verb.start].text)
        return form in ("base", "third") or (after_and and form == "past")
    if (
        j in services
        and not after_and
        and _left_predicate(toks, start, j, verbs, services)
        and not _call_noun_subject(toks, start, j, words)
    ):
        return _has_predicate(toks, j, min(e, j + 8))  # ", MySQL uses Cloud SQL IAM auth"
    if j in services and not after_and and _parallel_place(toks, start, j, e, services):
        return True  # "sap password in `app.properties`, sfdc + slack tokens in vault"
    if tok.norm in DETERMINERS and j not in services:  # "and OneSignal": a name's first word
        # "X, the Twilio token comes from Y" is two clauses; "the A key and the B secret are
        # in Z" is one subject: both sides need a predicate. A verbless "no X" before the
        # comma is a statement of its own: "no retry logic anywhere, the dlq is the only net"
        if toks[start].norm == "no" and not after_and:
            return _has_predicate(toks, j, e)
        statement = words.statement_verb
        if not _left_predicate(toks, start, j, verbs, services, statement):
            return False
        if after_and:
            return (
                _subject_verb(toks, j, e, verbs)
                or _has_predicate(toks, j, min(e, j + 6))
                or _statement_verb(toks, j, e, statement)
            )
        return _has_predicate(toks, j, e)
    return False


_PLACE_WORDS = frozenset(("in", "from", "via"))


def _parallel_place(toks: list[Tok], start: int, j: int, e: int, services: set[int]) -> bool:
    """'creds: sap user/password in `application.properties`, sfdc + slack tokens in vault':
    verbless statements of where a system's credential is, one per comma; each part names
    its systems first, then a place ('in', 'from')."""
    left = [k for k in range(start, j) if toks[k].norm in _PLACE_WORDS]
    if not left or not any(k in services for k in range(start, left[0])):
        return False
    k = j
    while k < e and (k in services or toks[k].text in ("+", "&", "/") or toks[k].norm == "and"):
        k += 1
    return any(toks[h].norm in _PLACE_WORDS for h in range(k, min(k + 3, e)))


def _left_predicate(
    toks: list[Tok],
    start: int,
    j: int,
    verbs: dict[int, Mention],
    services: set[int],
    statement: frozenset[str] = frozenset(),
) -> bool:
    """Has the clause so far a predicate? A verb word right after a determiner is a noun
    ("every write and every OpenAI call are keyed": one subject, no predicate yet), and so
    is one after a determiner and a service's name ("the billing-svc write and the
    warehouse MERGE are both safe"). With `statement`, a statement verb after a subject
    counts too ("the worker authenticates with ...")."""
    if statement and any(
        toks[k].norm in statement and toks[k - 1].norm not in DETERMINERS
        for k in range(start + 2, j)
    ):
        return True
    return any(
        (toks[k].norm in AUXILIARIES and toks[k].text not in ("'s", "’s"))  # "worker's"
        or (
            k in verbs
            and not (k > start and toks[_before_name(k, start, services)].norm in DETERMINERS)
            # "Callback signing secrets and the billing-svc token are ...": a modifier
            and not (toks[k].norm.endswith("ing") and toks[k - 1].norm not in AUXILIARIES)
        )
        for k in range(start, j)
    )


def _call_noun_subject(toks: list[Tok], start: int, j: int, words: WordClasses) -> bool:
    """'Outbound calls to Accela, Bluebeam and ACS go through a shared limiter': a plural
    call word (`GENERIC_CALL`) that opens the clause after at most two modifiers, then 'to', is
    the subject, so the services after it are one list, not a new clause."""
    for k in range(start, min(start + 3, j)):
        if toks[k].norm in words.generic_call and toks[k].norm.endswith("s"):
            before = toks[start:k]
            return (
                k + 1 < j
                and toks[k + 1].norm == "to"
                and all(t.text.isalpha() for t in before)
                and not any(
                    t.norm in SUBJECT_PRONOUNS or t.norm in words.runner_noun for t in before
                )
            )
    return False


def _before_name(k: int, start: int, services: set[int]) -> int:
    """The token before the service name that ends right before `k` (or `k - 1`)."""
    d = k - 1
    while d > start and d in services:
        d -= 1
    return d


def _subject_verb(toks: list[Tok], j: int, e: int, verbs: dict[int, Mention]) -> bool:
    """'... and our bot queues a run': a short subject, then a finite verb."""
    for k in range(j + 1, min(j + 5, e)):
        verb = verbs.get(k)
        if verb is not None:
            return verb_form(toks[k].text) in ("third", "past")
        if toks[k].norm in PREPOSITIONS or not toks[k].text[:1].isalnum():
            return False
    return False


def _statement_verb(toks: list[Tok], j: int, e: int, statement: frozenset[str]) -> bool:
    """'... and the Cloud SQL connection uses IAM auth': a short subject, then a statement
    verb."""
    for k in range(j + 2, min(j + 6, e)):
        if toks[k].norm in statement:
            return True
        if toks[k].norm in PREPOSITIONS or not toks[k].text[:1].isalnum():
            return False
    return False


def _has_predicate(toks: list[Tok], j: int, e: int) -> bool:
    for k in range(j, e):
        if toks[k].text in (",", ";", ":"):
            return False
        if toks[k].norm in AUXILIARIES and k > j:
            return True
    return False
