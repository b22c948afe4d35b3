"""Which system a model's `service` is: it must be named in the text.

A name the rules found as a service (in the quote first, then anywhere in the session) is that
service, with everything the lexicons know about it. A name the text holds but the rules did not
read as a service (a product the lexicons do not know) becomes a service of its own: a known
product's if a lexicon alias spells it, else an external API that needs every check, the side
the Prover errs on. A name the text does not hold is no service, and the item is rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workflow_prover.extract.services.catalog import ServiceCatalog, ServiceInfo, SvcMention
from workflow_prover.lexicon.loader import Lexicons

__all__ = ["Named", "ServiceIndex", "same_service", "words"]

_WORD = re.compile(r"[^\W_]+")
_UNKNOWN_CATEGORY = "hosting_api"  # an API the lexicons do not know: rate limited, external
_RULE = "assist.service"


def words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(text))


@dataclass(frozen=True, slots=True)
class Named:
    """A model's service, found: its facts, and the rules' mention of it inside the quote."""

    info: ServiceInfo
    mention: SvcMention | None = None


class ServiceIndex:
    """The lexicons' products by alias, for names the rules did not read as services."""

    def __init__(self, lexicons: Lexicons, catalog: ServiceCatalog) -> None:
        self._catalog = catalog
        self._aliases: dict[frozenset[str], tuple[str, str, str | None]] = {}
        for row in lexicons.services:
            for alias in (row.name, *row.aliases):
                self._aliases.setdefault(words(alias), (row.name, row.category, row.vendor))

    def unread(self, name: str) -> ServiceInfo:
        """A service for a name of the text that the rules did not read as one."""
        known = self._aliases.get(words(name))
        if known is not None:
            return self._catalog.info(known[0], known[1], _RULE, known[2])
        return self._catalog.info(name, _UNKNOWN_CATEGORY, _RULE)


def same_service(name: str, info: ServiceInfo, surface: str) -> bool:
    """Does the model's `name` name this mention? 'Postmark' names 'the Postmark API', 'ledger
    DB' names 'our ledger DB': the words of one (fillers aside) are among those of the other."""
    wanted = words(name) - _FILLERS
    if not wanted:
        return False
    for text in (info.name, surface):
        have = words(text) - _FILLERS
        if have and (wanted <= have or have <= wanted):
            return True
    return False


_FILLERS = frozenset(("the", "our", "their", "its", "a", "an", "api", "apis", "service"))
