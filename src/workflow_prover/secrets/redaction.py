"""A redacted text and the way back: every literal secret replaced by `[REDACTED:<kind>]`."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Redaction", "SecretMatch", "placeholder"]


def placeholder(kind: str) -> str:
    """The text that replaces a secret of `kind`."""
    return f"[REDACTED:{kind}]"


@dataclass(frozen=True, slots=True)
class SecretMatch:
    """One literal secret (or an existing placeholder) found in a text."""

    kind: str  # e.g. "stripe_key"; the placeholder is `[REDACTED:<kind>]`
    rule: str  # the SecretRow id that fired, or "secret.placeholder"
    start: int  # offsets into the text that was scanned
    end: int


@dataclass(frozen=True, slots=True)
class Redaction:
    """A text with every secret replaced by its placeholder, and the way back to the original."""

    original: str
    text: str  # redacted text
    matches: tuple[SecretMatch, ...]  # offsets into `original`, sorted, non-overlapping

    def to_original(self, offset: int) -> int:
        """Map an offset in `text` to `original`.

        Monotonic. An offset inside a placeholder maps to the start of the secret it replaced;
        an offset after it is shifted by the difference in length.
        """
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} is outside the redacted text (0..{len(self.text)})")
        shift = 0  # redacted offset minus original offset, after the matches passed so far
        for match in self.matches:
            text_start = match.start + shift
            if offset < text_start:
                break
            text_end = text_start + len(placeholder(match.kind))
            if offset < text_end:
                return match.start
            shift = text_end - match.end
        return offset - shift

    def redacted_span(self, start: int, end: int) -> str:
        """The redacted text for the span `start:end` of `original`.

        A span that overlaps a secret gets its whole placeholder, never a secret character.
        """
        if not 0 <= start <= end <= len(self.original):
            raise ValueError(
                f"span {start}:{end} is outside the original text (0..{len(self.original)})"
            )
        if start == end:
            return ""
        return self.text[self._to_text(start, is_end=False) : self._to_text(end, is_end=True)]

    def _to_text(self, offset: int, *, is_end: bool) -> int:
        """Map an original offset to `text`, widening to whole placeholders."""
        shift = 0
        for match in self.matches:
            if offset < match.start or (is_end and offset == match.start):
                break
            text_start = match.start + shift
            text_end = text_start + len(placeholder(match.kind))
            if offset < match.end or (is_end and offset == match.end):
                return text_end if is_end else text_start
            shift = text_end - match.end
        return offset + shift
