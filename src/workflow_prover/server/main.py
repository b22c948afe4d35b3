"""`workflow-prover serve`: run the MCP server over stdio (default) or streamable HTTP.

    workflow-prover serve                                   # stdio, for Claude Desktop & co.
    workflow-prover serve --transport http --port 8000      # http://127.0.0.1:8000/mcp

Settings come from options, then environment variables, then defaults:

    --db            WORKFLOW_PROVER_DB            $XDG_STATE_HOME/workflow-prover/sessions.sqlite3
    --token         WORKFLOW_PROVER_TOKEN         none (HTTP only: required on every request)
    --session-ttl   WORKFLOW_PROVER_SESSION_TTL   7d (idle time before a session expires; 0: never)
    --log-level     WORKFLOW_PROVER_LOG_LEVEL     INFO

and, options only: --one-turn-ttl (24h: a session never continued), --max-sessions (10000),
--workers (analysis processes: the CPU count, at most 4), --analysis-timeout (30s per call),
--assist (auto: the tool's default and ceiling for asking the client's model), --assist-timeout
(30s for the model to answer), --assist-max-tokens (4096).

Logs go to stderr only: under stdio, stdout carries the protocol. The analyses run in worker
processes (`pool.ProcessRunner`), so a slow one is stopped at the time limit without stalling
the other clients.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer
    from mcp.server.transport_security import TransportSecuritySettings

logger = logging.getLogger("workflow_prover.server")

ENV_DB = "WORKFLOW_PROVER_DB"
ENV_TOKEN = "WORKFLOW_PROVER_TOKEN"
ENV_SESSION_TTL = "WORKFLOW_PROVER_SESSION_TTL"
ENV_LOG_LEVEL = "WORKFLOW_PROVER_LOG_LEVEL"
DEFAULT_SESSION_TTL = "7d"
DEFAULT_ONE_TURN_TTL = "24h"
DEFAULT_MAX_SESSIONS = 10_000
DEFAULT_ANALYSIS_TIMEOUT = "30s"
DEFAULT_ASSIST_TIMEOUT = "30s"
DEFAULT_ASSIST_MAX_TOKENS = 4096
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_WILDCARD_HOSTS = ("0.0.0.0", "::", "")
_TTL = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", re.IGNORECASE)
_TTL_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def default_db_path() -> Path:
    """`$XDG_STATE_HOME/workflow-prover/sessions.sqlite3` (`~/.local/state` when unset)."""
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        state = os.environ.get("XDG_STATE_HOME", "")
        base = Path(state) if os.path.isabs(state) else Path.home() / ".local" / "state"
    return base / "workflow-prover" / "sessions.sqlite3"


def parse_ttl(value: str) -> float | None:
    """'3600', '90m', '24h', '7d' -> seconds; '0' -> None (never expire)."""
    match = _TTL.fullmatch(value)
    if not match:
        raise argparse.ArgumentTypeError(
            f"invalid duration {value!r}: use seconds or a number with s, m, h or d (e.g. 7d)"
        )
    seconds = float(match.group(1)) * _TTL_UNITS[match.group(2).lower()]
    return seconds if seconds > 0 else None


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return number


def default_workers() -> int:
    """One analysis process per CPU, at most 4 (each holds its own analyzer, ~150 MB)."""
    return max(1, min(4, os.cpu_count() or 1))


def _duration(value: str) -> float:
    seconds = parse_ttl(value)
    if seconds is None:
        raise argparse.ArgumentTypeError(f"expected a positive duration, got {value!r}")
    return seconds


def _port(value: str) -> int:
    number = _positive_int(value)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"invalid port {value!r}")
    return number


DESCRIPTION = (
    "Serve the Workflow Orchestrator Prover to MCP clients: the tool "
    "validate_workflow_orchestration, the prompt design_review and the rubric and "
    "session resources. Logs go to stderr."
)
HELP = "serve the Prover to MCP clients (stdio, or streamable HTTP with --transport http)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workflow-prover serve", description=DESCRIPTION)
    add_serve_arguments(parser)
    return parser


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `workflow-prover serve`, for this module's parser or the CLI's subparser."""
    parser.add_argument(
        "--transport",
        choices=("stdio", "http"),
        default="stdio",
        help="stdio (default; the client starts the server) or streamable HTTP",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="HTTP: address to bind (default 127.0.0.1, loopback only)",
    )
    parser.add_argument("--port", type=_port, default=8000, help="HTTP: port (default 8000)")
    parser.add_argument(
        "--token",
        default=None,
        help=f"HTTP: bearer token required on every request (or ${ENV_TOKEN}; "
        "prefer the variable: options are visible to other local users)",
    )
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="HTTP: another Host header value to accept (repeatable), e.g. the "
        "name of a reverse proxy; loopback names are always accepted",
    )
    parser.add_argument(
        "--db",
        default=None,
        help=f"session database file (or ${ENV_DB}; default {default_db_path()})",
    )
    parser.add_argument(
        "--session-ttl",
        default=None,
        metavar="DURATION",
        help=f"idle time after which a session expires: seconds or 30m, 24h, 7d; "
        f"0 never (or ${ENV_SESSION_TTL}; default {DEFAULT_SESSION_TTL})",
    )
    parser.add_argument(
        "--one-turn-ttl",
        default=DEFAULT_ONE_TURN_TTL,
        metavar="DURATION",
        help="idle time after which a session that was never continued (one turn: most calls "
        f"without session_id) expires; 0 as --session-ttl (default {DEFAULT_ONE_TURN_TTL})",
    )
    parser.add_argument(
        "--max-sessions",
        type=_positive_int,
        default=DEFAULT_MAX_SESSIONS,
        help="most sessions the database keeps; one more evicts the least recently used, "
        f"never-continued ones first (default {DEFAULT_MAX_SESSIONS})",
    )
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help=f"analysis processes (default: one per CPU, at most 4; here {default_workers()})",
    )
    parser.add_argument(
        "--analysis-timeout",
        type=_duration,
        default=_duration(DEFAULT_ANALYSIS_TIMEOUT),
        metavar="DURATION",
        help="time one call may take, waiting for a free worker included; a slower analysis "
        f"is stopped and the call fails with a tool error (default {DEFAULT_ANALYSIS_TIMEOUT})",
    )
    parser.add_argument(
        "--assist",
        choices=("auto", "always", "never"),
        default="auto",
        help="when the server may ask the client's model (MCP sampling) to help read a design: "
        "auto (default: when the rules' reading is uncertain), always or never; the tool's "
        "default and the most a call can ask for",
    )
    parser.add_argument(
        "--assist-timeout",
        type=_duration,
        default=_duration(DEFAULT_ASSIST_TIMEOUT),
        metavar="DURATION",
        help="time the client's model has to answer; then the rules' report, with the reason "
        f"(default {DEFAULT_ASSIST_TIMEOUT})",
    )
    parser.add_argument(
        "--assist-max-tokens",
        type=_positive_int,
        default=DEFAULT_ASSIST_MAX_TOKENS,
        help=f"token bound of the request to the client's model (default "
        f"{DEFAULT_ASSIST_MAX_TOKENS})",
    )
    parser.add_argument(
        "--max-description-chars",
        type=_positive_int,
        default=20_000,
        help="longest description accepted in one call (default 20000)",
    )
    parser.add_argument(
        "--max-turns",
        type=_positive_int,
        default=50,
        help="most turns in one review session (default 50)",
    )
    parser.add_argument(
        "--log-level",
        default=None,
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help=f"stderr log level (or ${ENV_LOG_LEVEL}; default INFO)",
    )


def configure_logging(level: str) -> logging.Handler:
    """Everything to stderr. At DEBUG, only this package's own logs go below INFO.

    Returns the handler, for `serve` to add the redacting filter once the scanner is built.
    """
    from workflow_prover.server.logs import AccessLogFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(AccessLogFilter())  # uvicorn's access lines, without query strings
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(max(logging.getLevelName(level), logging.INFO))
    logging.getLogger("workflow_prover").setLevel(level)
    return handler


def transport_security(host: str, extra_hosts: Sequence[str]) -> TransportSecuritySettings:
    """DNS-rebinding protection, always on: Host and Origin must name this server."""
    from mcp.server.transport_security import TransportSecuritySettings

    names = list(_LOOPBACK_NAMES)
    if host not in _WILDCARD_HOSTS and host not in ("localhost", "127.0.0.1", "::1"):
        try:
            names.append(f"[{host}]" if ipaddress.ip_address(host).version == 6 else host)
        except ValueError:
            names.append(host)
    hosts: list[str] = []
    origins: list[str] = []
    for name in [*names, *extra_hosts]:
        has_port = bool(re.search(r":\d+$", name)) and not name.endswith("]")
        hosts += [name] if has_port else [name, f"{name}:*"]
        for scheme in ("http", "https"):
            origins += (
                [f"{scheme}://{name}"]
                if has_port
                else [f"{scheme}://{name}", f"{scheme}://{name}:*"]
            )
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(argv: Sequence[str] | None = None) -> int:
    """Run the MCP server until the client disconnects (stdio) or it is interrupted (HTTP)."""
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help, or a usage error already printed to stderr
        return exc.code if isinstance(exc.code, int) else 2
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Serve with options parsed by `add_serve_arguments` (the CLI's `serve` handler)."""
    environ = os.environ
    raw_ttl = args.session_ttl or environ.get(ENV_SESSION_TTL) or DEFAULT_SESSION_TTL
    try:
        ttl = parse_ttl(raw_ttl)
        one_turn_ttl = parse_ttl(args.one_turn_ttl)
    except argparse.ArgumentTypeError as exc:
        print(f"workflow-prover serve: error: session TTL: {exc}", file=sys.stderr)
        return 2
    level = args.log_level or environ.get(ENV_LOG_LEVEL, "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        level = "INFO"
    handler = configure_logging(level)
    token = args.token or environ.get(ENV_TOKEN) or None
    db_path = Path(args.db or environ.get(ENV_DB) or default_db_path()).expanduser()

    # Imported here, not at module level: the MCP SDK and spaCy take a second or two to load.
    from workflow_prover.server.store import SessionStoreError, SqliteSessionStore

    try:
        store = SqliteSessionStore(
            db_path, ttl=ttl, one_turn_ttl=one_turn_ttl, max_sessions=args.max_sessions
        )
        purged = store.purge_expired()
    except (OSError, SessionStoreError, ValueError) as exc:
        print(
            f"workflow-prover serve: error: cannot open the session database {db_path}: {exc}",
            file=sys.stderr,
        )
        return 1
    except Exception as exc:  # sqlite3.Error and friends
        print(
            f"workflow-prover serve: error: cannot open the session database {db_path}: "
            f"{type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return 1

    from workflow_prover.analyzer import Analyzer
    from workflow_prover.server.app import ServerSettings, build_server
    from workflow_prover.server.logs import RedactingFilter
    from workflow_prover.server.pool import AnalysisPool

    settings = ServerSettings(
        max_description_chars=args.max_description_chars,
        max_turns=args.max_turns,
        analysis_budget=args.analysis_timeout,
        analysis_workers=args.workers or default_workers(),
        assist=args.assist,
        assist_timeout=args.assist_timeout,
        assist_max_tokens=args.assist_max_tokens,
    )
    logger.info(
        "sessions in %s (idle expiry: %s, never continued: %s; at most %d; %d expired removed)",
        db_path,
        "never" if ttl is None else f"{ttl:g}s",
        "never" if store.limits.one_turn_ttl is None else f"{store.limits.one_turn_ttl:g}s",
        args.max_sessions,
        purged,
    )
    # The workers load their analyzers while this process loads its own (for redaction).
    pool = AnalysisPool.in_processes(
        Analyzer,
        workers=settings.analysis_workers,
        budget=settings.analysis_budget,
        max_waiting=settings.max_waiting,
        log_level=logging.getLogger("workflow_prover").getEffectiveLevel(),
    )
    try:
        logger.info(
            "loading the analyzer (%d analysis processes, %gs per call)",
            settings.analysis_workers,
            settings.analysis_budget,
        )
        # Under stdio, stdout is the protocol: anything a library prints while loading goes to
        # stderr. (While serving, the SDK itself diverts fd 1 to stderr.)
        with contextlib.redirect_stdout(sys.stderr):
            analyzer = Analyzer()
        handler.addFilter(RedactingFilter(analyzer.redact))  # before any client is served
        pool.wait_ready()
        if args.transport == "stdio":
            if token:
                logger.warning("a bearer token only applies to --transport http; ignored")
            server = build_server(analyzer, store, settings, pool=pool)
            logger.info("serving MCP over stdio")
            server.run("stdio")
        else:
            server = build_server(analyzer, store, settings, token=token, pool=pool)
            _serve_http(server, args, token)
    except KeyboardInterrupt:
        pass
    finally:
        pool.close()
        store.close()
    return 0


def _serve_http(server: MCPServer[Any], args: argparse.Namespace, token: str | None) -> None:
    import uvicorn

    if not _is_loopback(args.host):
        if token:
            logger.warning(
                "listening on %s: reachable from other machines (token required)", args.host
            )
        else:
            logger.warning(
                "listening on %s without a token: anyone who can reach this port "
                "can use the server; set --token or $%s",
                args.host,
                ENV_TOKEN,
            )
    app = server.streamable_http_app(
        streamable_http_path="/mcp",
        host=args.host,
        transport_security=transport_security(args.host, args.allowed_host),
    )
    shown = f"[{args.host}]" if ":" in args.host else args.host
    logger.info(
        "serving MCP over streamable HTTP at http://%s:%d/mcp (%s)",
        shown,
        args.port,
        "bearer token required" if token else "no token",
    )
    # log_config=None: uvicorn keeps to the stderr handler configured above.
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        log_level=logging.getLogger().level,
        server_header=False,
    )
    uvicorn.Server(config).run()
