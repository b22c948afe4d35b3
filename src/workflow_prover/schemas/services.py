"""Name and categorise the services a schema talks to, with the services lexicon.

A schema names services by identifiers (`dynamodb`, `n8n-nodes-base.googleSheets`, a host name),
not by prose. An identifier is compared with every lexicon name and alias once both are
reduced to lower-case letters and digits (`googleSheets` = `Google Sheets`), so a schema's
services get the same names, categories and vendors as the prose's. What the lexicon does not
know becomes a generic service (a partner HTTP API unless the caller says otherwise).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from workflow_prover.extract.services.catalog import ServiceCatalog, ServiceInfo
from workflow_prover.lexicon.loader import Lexicons
from workflow_prover.lexicon.schema import ServiceRow
from workflow_prover.schemas.vocabulary import Vocabulary

GENERIC_CATEGORY = "hosting_api"
WEBHOOK_SENDER = "webhook sender"
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Host labels that never name a product on their own.
_HOST_NOISE = frozenset(
    {
        "api",
        "apis",
        "www",
        "app",
        "apps",
        "rest",
        "hooks",
        "hook",
        "v1",
        "v2",
        "v3",
        "com",
        "net",
        "org",
        "io",
        "co",
        "dev",
        "cloud",
        "eu",
        "us",
        "uk",
        "de",
        "my",
        "services",
        "service",
        "amazonaws",
        "azurewebsites",
        "herokuapp",
        "execute",
        "prod",
        "staging",
        "internal",
    }
)


_TEXT_WORDS = re.compile(r"[A-Za-z][A-Za-z0-9]*")
# Product names that are also everyday words: a product only when written as a name.
_COMMON_WORDS = frozenset(
    {
        *("box", "front", "square", "segment", "notion", "close", "drift", "buffer", "shift"),
        *("monday", "basecamp", "twist", "loom", "zoom", "signal", "wave", "ramp", "brex"),
        *("linear", "height", "pipe", "stream", "cloud", "vault", "keeper"),
    }
)


def normalise(name: str) -> str:
    return _NON_ALNUM.sub("", name.lower())


class ServiceResolver:
    """Lexicon lookups for schema identifiers; built once per Analyzer."""

    def __init__(self, lexicons: Lexicons, catalog: ServiceCatalog) -> None:
        self._catalog = catalog
        self.vocabulary = Vocabulary(lexicons)
        self._categories = frozenset(c.name for c in lexicons.categories)
        index: dict[str, ServiceRow] = {}
        for row in lexicons.services:
            index.setdefault(normalise(row.name), row)
        for row in lexicons.services:
            for alias in row.aliases:
                index.setdefault(normalise(alias), row)
        self._index = index
        # `ledger_db`, `orders-queue`: a head word names the kind of an unnamed service
        self._heads = {
            normalise(t.pattern): t.category
            for t in lexicons.terms
            if t.label == "GENERIC_HEAD" and t.category
        }

    def reads_from(self, key: str) -> bool:
        """Does a key name the system a step reads from (`source`, `input`: SOURCE_KEY)?"""
        return key.lower().replace("-", "_") in self._catalog.words.source_key

    def named(self, identifier: str, rule: str) -> ServiceInfo | None:
        """The lexicon service an identifier names exactly, if any."""
        row = self._index.get(normalise(identifier))
        if row is None:
            return None
        return self._catalog.info(row.name, row.category, rule, row.vendor)

    def generic(
        self,
        name: str,
        rule: str,
        category: str = GENERIC_CATEGORY,
        vendor: str | None = None,
    ) -> ServiceInfo:
        if category not in self._categories:
            category = GENERIC_CATEGORY
        return self._catalog.info(name, category, rule, vendor, generic=True)

    def unnamed(self, identifier: str, rule: str) -> ServiceInfo:
        """A service the lexicon does not know, of the kind its last head word says
        (`ledger_db` is a database, `billing-api` an API); an HTTP API otherwise."""
        words = [normalise(w) for w in re.split(r"[\s_.\-/]+", identifier) if w]
        category = next((self._heads[w] for w in reversed(words) if w in self._heads), None)
        return self.generic(identifier, rule, category or GENERIC_CATEGORY)

    def resolve(self, identifier: str, rule: str, category: str | None = None) -> ServiceInfo:
        """A lexicon service, or a generic one named as the schema names it."""
        known = self.named(identifier, rule)
        if known is not None and (category is None or known.category == category):
            return known
        return self.generic(identifier, rule, category or GENERIC_CATEGORY)

    def url(self, url: str, rule: str) -> ServiceInfo:
        """The service behind an HTTP endpoint: a known product by its host, else the host."""
        host = _host(url)
        if host is None:
            return self.generic("HTTP endpoint", rule)
        # `sandbox-quickbooks.api.intuit.com`: the labels, and the words of a hyphenated one
        labels = [label for label in host.split(".") if label and label not in _HOST_NOISE]
        labels += [
            w for x in labels if "-" in x for w in x.split("-") if w and w not in _HOST_NOISE
        ]
        for label in labels:
            known = self.named(label, rule)
            if known is not None and known.role != "runtime":
                return known
        return self.generic(host, rule)

    def mentioned(self, text: str, rule: str) -> ServiceInfo | None:
        """The first service a short text names (`upsert into postgres.feedback`, `send an SMS
        via Twilio`), longest name first at each word; a common word that is also a product's
        name (`box`, `square`) counts only when it is capitalised. Secret stores are not a
        step's service."""
        words = _TEXT_WORDS.findall(text)
        for i in range(len(words)):
            for n in (3, 2, 1):
                phrase = words[i : i + n]
                if len(phrase) < n:
                    continue
                known = self.named(" ".join(phrase), rule)
                if known is None or known.role == "secrets":
                    continue
                if n == 1 and phrase[0].lower() in _COMMON_WORDS and not phrase[0][0].isupper():
                    continue
                return known
        return None

    def webhook_sender(self, rule: str) -> ServiceInfo:
        """The anonymous sender of an inbound webhook (the graph's `WEBHOOK_SENDER`)."""
        return ServiceInfo(WEBHOOK_SENDER, "webhook", "api", False, None, True, rule)


_MARKS = ("{{", "{%", "$.", "$$", "${")


def _host(url: str) -> str | None:
    """The host of a URL, also when an expression fills in its path; None when the host itself
    is an expression or a template."""
    url = url.strip()
    cut = min((url.find(mark) for mark in _MARKS if mark in url), default=-1)
    if cut >= 0:
        head = url[:cut]
        if "://" not in head or "/" not in head.split("://", 1)[1]:
            return None  # the host is (part of) the expression
        url = head
    if "://" not in url:
        url = "https://" + url
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower() if host else None
