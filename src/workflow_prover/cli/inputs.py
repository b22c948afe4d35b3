"""The command line's input: FILE arguments (globs expanded) and stdin, read and validated.

Every input is read, size-checked, decoded as UTF-8 and, when it is a whole-file schema,
parsed before anything is analysed; a problem is a `UsageError` whose one-line message names
the input and the problem, never its content. Nothing here imports the analyzer.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TextIO

# Defined here, not in `cli`, because input errors need them and `cli` imports this module.
PROG = "workflow-prover"
STDIN = "-"
STDIN_NAME = "<stdin>"
# spaCy refuses texts over 1,000,000 characters by default; a design document is far smaller.
MAX_INPUT_BYTES = 1_000_000


class UsageError(Exception):
    """A bad command line or unusable input; the message is one line, without the prefix."""


@dataclass(frozen=True)
class Source:
    """One input document: `name` is the FILE argument as given ('-' for stdin)."""

    name: str
    text: str


def display_name(name: str) -> str:
    """The name safe to print on one line (control characters escaped)."""
    if name == STDIN:
        return STDIN_NAME
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


def _size(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n / 1000:g} kB"


def decode_input(data: bytes, shown: str) -> str:
    """UTF-8 text out of `data`, or a UsageError saying why it is not a design document."""
    if len(data) > MAX_INPUT_BYTES:
        raise UsageError(f"{shown}: input is larger than the {_size(MAX_INPUT_BYTES)} limit")
    if _looks_utf16(data):
        raise UsageError(
            f"{shown}: UTF-16 text; expected UTF-8 text (convert it: iconv -f UTF-16 -t UTF-8)"
        )
    if b"\x00" in data:
        raise UsageError(f"{shown}: binary input (contains NUL bytes); expected UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{shown}: not UTF-8 text (invalid byte at offset {exc.start}); expected UTF-8 text"
        ) from None


def _looks_utf16(data: bytes) -> bool:
    """A UTF-16 byte order mark, or a NUL in every other byte (ASCII written as UTF-16)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    half = len(data) // 2
    return half >= 2 and max(data[0::2].count(0), data[1::2].count(0)) >= half * 0.9


def _read_stdin(stream: TextIO | None) -> bytes:
    if stream is None:
        raise UsageError(f"{STDIN_NAME}: no standard input")
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            data = buffer.read(MAX_INPUT_BYTES + 1)
            return data if isinstance(data, bytes) else bytes(data)
        return stream.read(MAX_INPUT_BYTES + 1).encode("utf-8", "surrogateescape")
    except (OSError, ValueError) as exc:
        raise UsageError(f"{STDIN_NAME}: cannot read: {_reason(exc)}") from None


def _read_file(path: str) -> bytes:
    shown = display_name(path)
    if os.path.isdir(path):
        raise UsageError(f"{shown}: is a directory")
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{shown}: is a directory") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{shown}: cannot read: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return type(exc).__name__


_SYNTAX_BY_SUFFIX: dict[str, Literal["json", "yaml"]] = {
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
}


def read_source(name: str, stdin: TextIO | None) -> Source:
    data = _read_stdin(stdin) if name == STDIN else _read_file(name)
    if name == STDIN and not data:
        raise UsageError(f"{STDIN_NAME}: empty input: pipe the design, or give a FILE")
    text = decode_input(data, display_name(name))
    check_syntax(name, text)
    return Source(name, text)


def check_syntax(name: str, text: str) -> None:
    """A whole-file schema that does not parse is an input error (one line, with line and
    column). A `.json`/`.yaml` file is a schema by its name; any input that starts like JSON is
    one too. A broken fenced block inside prose is not an error: it is reported as a note and
    read as prose."""
    from workflow_prover.schemas import whole_text_error  # cheap: no spaCy

    hint = _SYNTAX_BY_SUFFIX.get(os.path.splitext(name)[1].lower()) if name != STDIN else None
    problem = whole_text_error(text, hint)
    if problem is not None:
        raise UsageError(f"{display_name(name)}: {problem.describe()}")


def expand(names: Sequence[str]) -> list[str]:
    """FILE arguments with globs expanded (`**` included), in order, each file once.

    A name that exists is taken as it is, even with glob characters in it; a glob that
    matches no file is a usage error, like a missing file.
    """
    out: list[str] = []
    for name in names:
        if name == STDIN or os.path.exists(name) or not glob.has_magic(name):
            out.append(name)
            continue
        matches = sorted(m for m in glob.glob(name, recursive=True) if os.path.isfile(m))
        if not matches:
            raise UsageError(f"{display_name(name)}: no files match")
        out += matches
    return list(dict.fromkeys(out))


def read_sources(names: Sequence[str], stdin: TextIO | None) -> list[Source]:
    """Every input, read and validated before anything is analysed; the first problem raises."""
    sources, problems = read_batch(names, stdin)
    if problems:
        raise problems[0]
    return sources


def read_batch(
    names: Sequence[str],
    stdin: TextIO | None,
    skip: Callable[[str], bool] | None = None,
) -> tuple[list[Source], list[UsageError]]:
    """Every input that can be read, and why each other one cannot (a bad file in a batch
    does not stop the others). A bad command line (no input, '-' twice) still raises.
    `skip`: files left out (a configuration's `exclude`), named or matched by a glob."""
    if not names:
        if stdin is None or _isatty(stdin):
            raise UsageError(
                f"no input: give a FILE, or '-' to read stdin (see '{PROG} check --help')"
            )
        names = [STDIN]
    if list(names).count(STDIN) > 1:
        raise UsageError("'-' (stdin) can be given only once")
    sources: list[Source] = []
    problems: list[UsageError] = []
    for item in _expand_each(names):
        if isinstance(item, UsageError):
            problems.append(item)
            continue
        if skip is not None and item != STDIN and skip(item):
            continue
        try:
            sources.append(read_source(item, stdin))
        except UsageError as problem:
            problems.append(problem)
    return sources, problems


def _expand_each(names: Sequence[str]) -> list[str | UsageError]:
    """`expand`, with a glob that matches nothing kept in its place as its error."""
    out: list[str | UsageError] = []
    for name in names:
        try:
            out += [n for n in expand([name]) if n not in out]
        except UsageError as problem:
            out.append(problem)
    return out


def local_files(name: str) -> Callable[[str], str | None] | None:
    """Reads the files a template refers to (`DefinitionUri`), next to it: a relative path
    inside the template's folder, within the input limits; never an absolute path, a path out
    of the folder, a URL, or stdin's neighbours."""
    if name == STDIN:
        return None
    folder = os.path.realpath(os.path.dirname(name) or ".")

    def read(uri: str) -> str | None:
        if os.path.isabs(uri) or "://" in uri or not uri.strip():
            return None
        path = os.path.realpath(os.path.join(folder, uri))
        if os.path.commonpath([folder, path]) != folder or not os.path.isfile(path):
            return None
        try:
            return decode_input(_read_file(path), display_name(uri))
        except UsageError:
            return None

    return read


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
