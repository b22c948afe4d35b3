"""Log records with secrets redacted, whoever logs them.

The server's own log lines carry only redacted text, but the SDK logs what clients send too
(`Resource 'workflow-prover://sessions/<whatever the client sent>' failed`). `serve` puts this
filter on its stderr handler, so every record, the SDK's and uvicorn's included, passes
through the secret scanner before it is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

__all__ = ["RedactingFilter"]


class RedactingFilter(logging.Filter):
    """Replaces a record's message (and its traceback text) with their redacted form."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__()
        self._redact = redact
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True
