"""Log records with secrets redacted, whoever logs them, and access lines without queries.

The server's own log lines carry only redacted text, but the SDK logs what clients send too
(`Resource 'workflow-prover://sessions/<whatever the client sent>' failed`). `serve` puts
`RedactingFilter` on its stderr handler, so every record, the SDK's and uvicorn's included,
passes through the secret scanner before it is written.

uvicorn's access log line quotes the request target with its query string, where clients put
tokens and ids (`/mcp?api_key=...`) that look like no known secret. `AccessLogFilter`, also on
the handler, cuts the query off: the line keeps the method, path and status (hardening fault 7).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

__all__ = ["AccessLogFilter", "RedactingFilter"]

ACCESS_LOGGER = "uvicorn.access"


# uvicorn's access record: (client address, method, request target, HTTP version, status)
_TARGET = 2


class AccessLogFilter(logging.Filter):
    """Drops the query string from the request targets of uvicorn's access records.

    The target is found by its place in the record, not by its look: a client may send an
    absolute URL (`GET http://host/mcp?api_key=...`) or no leading slash at all, and uvicorn
    logs either with its query.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == ACCESS_LOGGER and isinstance(record.args, tuple):
            args = list(record.args)
            target = args[_TARGET] if len(args) > _TARGET else None
            if isinstance(target, str):
                args[_TARGET] = target.split("?", 1)[0]
            record.args = tuple(args)
        return True


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
