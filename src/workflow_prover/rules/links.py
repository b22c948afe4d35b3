"""Where the Prover's documentation lives on the web (SARIF's `informationUri` and `helpUri`).

`REPOSITORY` must equal `[project.urls] Repository` in `pyproject.toml` (a test checks it).
"""

from __future__ import annotations

REPOSITORY = "https://github.com/workflow-prover/workflow-prover"
DOCS_BRANCH = "main"


def help_uri(code: str) -> str:
    """The page of one finding or note code, `docs/rules/CODE.md` in the repository."""
    return f"{REPOSITORY}/blob/{DOCS_BRANCH}/docs/rules/{code}.md"
