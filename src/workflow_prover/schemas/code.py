"""Python code pasted as a design: its calls are steps, its error handling and retries claims.

Found as a fenced block (```python, ```py) or as a whole text that is valid Python with an
import, a function or a class (prose is never valid Python). Parsed with `ast`; nothing is run.
Pointers name the code's own elements (`/functions/sync/calls/0`, `/default_args/retries`,
`/tasks/post_op`) and evidence keeps the character offsets of the source.

What is read (`code_calls`, `code_frameworks`):

- a call on an object with a verb for a method (`stripe.Charge.list()`, `crm.contacts.create(x)`,
  `requests.post(url)`) is a step: the object names the service, the verb reads or writes;
  logging, printing and the standard library are not steps;
- a write call's idempotency key (a keyword argument or a `headers=`/`params=` entry named as
  one): stable, or unstable when built from a clock, a UUID or a random number;
- `try: ... except: log(); continue` swallows the error; `except: raise` re-raises (try/catch);
  an `except` that stores the item (a DLQ, a `failed` list or table) is a terminal path; one
  that calls the same function again is an immediate retry;
- a retry decorator (`@retry`, tenacity's `wait_exponential`/`stop_after_attempt`,
  `@backoff.on_exception(backoff.expo, max_tries=5)`) or a retry loop (`for attempt in
  range(5): try ... except: time.sleep(2 ** attempt)`) is a retry of the calls inside it;
- Temporal: `execute_activity(fn, retry_policy=RetryPolicy(backoff_coefficient=...,
  maximum_attempts=...), start_to_close_timeout=...)` covers that activity's calls (Temporal's
  default policy is exponential and unbounded); Airflow: an operator with a `task_id` is a
  step, `default_args` (`retries`, `retry_delay`, `retry_exponential_backoff`) covers every
  task and an operator's own arguments its task.
- Comments are read by the prose reader for their claims (a `# TODO` after an argument makes it
  planned).
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right

from workflow_prover.schemas.code_calls import CodeReader
from workflow_prover.schemas.detect import Block, Parsed
from workflow_prover.schemas.locate import Loc
from workflow_prover.schemas.model import Collector, ProseSpan, SchemaDoc
from workflow_prover.schemas.services import ServiceResolver

FORMAT = "code"
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*(python|py|python3)\b[^\n]*\n", re.M | re.I)
_ANY_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)
_COMMENT = re.compile(r"#[^\n]*")


def find_code(text: str) -> list[Block]:
    """Python in the text: fenced ```python blocks, or the whole text when it is Python."""
    blocks: list[Block] = []
    for match in _FENCE.finditer(text):
        fence = match.group(1)
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
        end_match = close.search(text, match.end())
        end = end_match.start() if end_match else len(text)
        outer_end = end_match.end() if end_match else len(text)
        blocks.append(Block(match.end(), end, "python", True, match.start(), outer_end))
    if blocks or _ANY_FENCE.search(text):
        return blocks
    return [Block(0, len(text), "python", False, 0, len(text))] if _looks_like_code(text) else []


def _looks_like_code(text: str) -> bool:
    # an import, a definition, a decorator, or a `with DAG(...):` block (a pasted DAG file
    # without its imports); prose never parses as Python anyway
    if not re.search(
        r"^\s*(?:import|from|def|class|async def|@)\b|^\s*with\s+[A-Za-z_][\w.]*\(", text, re.M
    ):
        return False
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def read(text: str, block: Block, resolver: ServiceResolver) -> SchemaDoc | None:
    """The steps and claims of the Python in `block`, or None when it has no step."""
    source = text[block.start : block.end]
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    offsets = _Offsets(text, block.start)
    parsed = Parsed(block, None, {}, text)
    collector = Collector(parsed)
    reader = CodeReader(collector, resolver, offsets.loc)
    reader.read(tree)
    if not collector.steps:
        return None
    strings = _strings(tree, offsets)
    for match in _COMMENT.finditer(source):
        at = block.start + match.start()
        if not any(start <= at < end for start, end in strings):
            collector.prose.append(ProseSpan(at + 1, block.start + match.end()))
    return collector.doc(FORMAT)


def _strings(tree: ast.Module, offsets: _Offsets) -> list[tuple[int, int]]:
    """Where the string literals are (a `#` inside one, in a URL or an f-string, is no comment)."""
    spans: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant | ast.JoinedStr) and not isinstance(
            getattr(node, "value", None), int | float | bool | None
        ):
            loc = offsets.loc(node)
            spans.append((loc.start, loc.end))
    return spans


class _Offsets:
    """ast's (line, column) positions -> character offsets into the whole text."""

    def __init__(self, text: str, base: int) -> None:
        self.base = base
        body = text[base:]
        self.starts = [0, *(i + 1 for i, c in enumerate(body) if c == "\n")]
        self.lines = body.split("\n")

    def offset(self, line: int, column: int) -> int:
        """ast columns count UTF-8 bytes; the text counts characters."""
        raw = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        chars = len(raw.encode("utf-8")[:column].decode("utf-8", "ignore"))
        return self.base + self.starts[min(line - 1, len(self.starts) - 1)] + chars

    def loc(self, node: ast.AST, key: ast.AST | None = None) -> Loc:
        start = self.offset(int(getattr(node, "lineno", 1)), int(getattr(node, "col_offset", 0)))
        end_line = int(getattr(node, "end_lineno", None) or getattr(node, "lineno", 1) or 1)
        end = self.offset(end_line, int(getattr(node, "end_col_offset", None) or 0))
        key_start = None if key is None else self.loc(key).start
        return Loc(start, max(end, start), key_start)

    def line_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset - self.base)
