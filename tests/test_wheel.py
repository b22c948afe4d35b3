"""A wheel built from the repository installs into a fresh virtualenv and serves MCP clients.

The wheel is built offline (`pip wheel --no-deps --no-build-isolation`, with hatchling from the
dev extras) and installed with `--no-deps` into a new virtualenv; the dependencies (spaCy, the
MCP SDK, pydantic...) are made importable there by a `.pth` line pointing at this interpreter's
site-packages, so no network is needed. The package itself must come from the wheel: its
tables, templates and lexicons are package data, and a file left out of the wheel shows here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.types import TextContent

ROOT = Path(__file__).resolve().parent.parent


def _run(*argv: str | Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=300, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin` directory of a fresh virtualenv with the wheel installed."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        dist,
        ROOT,
    )
    (wheel,) = dist.glob("workflow_prover-*.whl")
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel)
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    Path(purelib.strip(), "_deps_from_test_runner.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    return bin_dir


def _clean_env() -> dict[str, str]:
    """The environment without PYTHONPATH, so nothing but the virtualenv's own path is used."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def test_when_the_wheel_is_installed_then_the_package_comes_from_it(installed: Path) -> None:
    where = _run(
        installed / "python",
        "-c",
        "import workflow_prover; print(workflow_prover.__file__)",
        env=_clean_env(),
    )
    assert Path(where.strip()).is_relative_to(installed.parent)


def test_when_the_checkout_is_compiled_then_the_wheel_still_holds_only_python(
    installed: Path,
) -> None:
    """`make setup` compiles modules in place (scripts/compile.py); git ignores them, and so
    does hatchling: the wheel is the pure Python package."""
    code = "import workflow_prover, pathlib; print(pathlib.Path(workflow_prover.__file__).parent)"
    package = Path(_run(installed / "python", "-c", code, env=_clean_env()).strip())
    assert not [*package.rglob("*.so"), *package.rglob("*.pyd"), *package.glob("compiled.json*")]


def test_when_the_installed_command_explains_a_code_then_the_packaged_tables_are_read(
    installed: Path,
) -> None:
    out = _run(installed / "workflow-prover", "explain", "NO_JITTER", env=_clean_env())
    assert out == (ROOT / "docs" / "rules" / "NO_JITTER.md").read_text(encoding="utf-8")


@pytest.mark.anyio
async def test_when_the_installed_command_serves_stdio_then_a_client_reviews_a_design(
    installed: Path, tmp_path: Path
) -> None:
    env = _clean_env() | {"WORKFLOW_PROVER_DB": str(tmp_path / "sessions.sqlite3")}
    params = StdioServerParameters(
        command=str(installed / "workflow-prover"), args=["serve", "--workers", "1"], env=env
    )
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
        prompts = (await client.list_prompts()).prompts
        result = await client.call_tool(
            "validate_workflow_orchestration", {"description": "Stripe -> CRM"}
        )
    assert [t.name for t in tools] == ["validate_workflow_orchestration"]
    assert [p.name for p in prompts] == ["design_review"]
    assert not result.is_error and isinstance(result.content[0], TextContent)
    assert result.content[0].text.startswith("Verdict: ")
