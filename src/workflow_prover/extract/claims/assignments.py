"""Credentials set line by line: `NAME=value` assignments of an env file or a config block.

```
ORDERS_DB_URL=vault:database/creds/orders-export
LEGACY_FTP_PASSWORD=set-by-hand-on-the-box
```

Each line whose name holds a credential word (`PASSWORD`, `TOKEN`, `KEY`, `SECRET`, or a
connection `URL`) is the credential of the service its other words name (`FTP` the FTP
server, `ORDERS_DB` orders-db). A vault claim on the line (`vault:...`) covers that service
only, not every one; a line with no vault claim and no literal secret is an environment
variable of that service (its value is typed into the environment, not fetched from a vault).
A name that matches no service of the text is left alone.
"""

from __future__ import annotations

import re
from dataclasses import replace

from workflow_prover.annotate.types import Tok
from workflow_prover.extract.claims.drafts import ClaimDraft, ScopeDraft
from workflow_prover.extract.claims.modality import Reading
from workflow_prover.extract.reading import TextView

__all__ = ["assigned_credentials"]

_NAME_PART = re.compile(r"^[A-Z][A-Z0-9]*$")
# name words that say what kind of value it is or where it runs, never which system
_NOT_A_SYSTEM = frozenset(
    ("url", "uri", "dsn", "legacy", "prod", "production", "staging", "dev", "api", "app", "the")
)
_CREDENTIAL_KINDS = frozenset(("vault", "env_var", "hardcoded", "workload_identity"))


def assigned_credentials(view: TextView, claims: list[ClaimDraft]) -> list[ClaimDraft]:
    """Scope each assignment line's credential claims to the service its name names, and add
    an environment-variable claim for a credential line that has none."""
    toks = view.toks
    out = list(claims)
    for start, eq, end in _assignments(toks):
        names = _name_words(toks, start, eq)
        if not names & (view.catalog.credential_name_words | {"url", "dsn"}):
            continue
        service = _named_service(view, names - _NOT_A_SYSTEM)
        if service is None:
            continue
        scope = ScopeDraft(general=False, services=(service,), via=("scope.assigned_name",))
        on_line = [
            n for n, c in enumerate(out) if start <= c.start < end and c.kind in _CREDENTIAL_KINDS
        ]
        for n in on_line:
            out[n] = replace(out[n], scope=scope)
        if not on_line and not _holds_secret(toks, eq, end):
            clause = view.lay.clause_of[start]
            reading = Reading("asserted", ())
            out.append(ClaimDraft("env_var", reading, scope, start, eq, clause, "env.assignment"))
    return out


def _assignments(toks: list[Tok]) -> list[tuple[int, int, int]]:
    """(name start, '=' position, line end) of each line that starts `NAME=`."""
    found = []
    n = len(toks)
    for i, tok in enumerate(toks):
        if not tok.line_start or not _NAME_PART.match(tok.text):
            continue
        k = i
        while k + 1 < n and not toks[k].ws and _name_part(toks[k + 1].text):
            k += 1
        if k + 1 >= n or toks[k + 1].text != "=" or toks[k].ws:
            continue
        end = k + 2
        while end < n and toks[end].line == tok.line:
            end += 1
        found.append((i, k + 1, end))
    return found


def _name_part(text: str) -> bool:
    return text == "_" or bool(_NAME_PART.match(text))


def _name_words(toks: list[Tok], start: int, eq: int) -> set[str]:
    return {toks[k].norm for k in range(start, eq) if toks[k].text != "_"}


def _named_service(view: TextView, words: set[str]) -> str | None:
    """The one service of the text whose name shares the most words with the assignment's
    name (`FTP` and "distributor's FTP server", `ORDERS`+`DB` and `orders-db`)."""
    best: dict[str, int] = {}
    for m in view.services:
        if m.info.role not in ("api", "datastore"):
            continue
        # its name and the words the text calls it by (`PG_PASSWORD` and "pg")
        own = set(re.findall(r"[a-z0-9]+", m.info.name.lower()))
        own |= set(re.findall(r"[a-z0-9]+", view.text(m.start, m.end).lower()))
        hits = len(words & own)
        if hits:
            best[m.info.name] = max(best.get(m.info.name, 0), hits)
    if not best:
        return None
    top = max(best.values())
    winners = [name for name, hits in best.items() if hits == top]
    return winners[0] if len(winners) == 1 else None


def _holds_secret(toks: list[Tok], eq: int, end: int) -> bool:
    """A redacted literal after '=' is a secret in the text (its own finding), not a variable
    whose value is elsewhere."""
    return any(toks[k].text.startswith("[REDACTED") for k in range(eq + 1, end))
