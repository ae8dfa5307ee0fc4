"""`todo-mcp`: serve the task server over HTTP (default) or to one local MCP client over stdio."""

import argparse
import asyncio
import sys

from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser

from todo_common.auth import TokenVerifier
from todo_common.db import create_sessionmaker, migrated_engine
from todo_common.logs import configure_logging
from todo_common.problems import Unauthorized
from todo_common.serve import serve
from todo_mcp.app import MIGRATIONS, VERSION_TABLE
from todo_mcp.auth import access_token
from todo_mcp.idempotency import purging
from todo_mcp.settings import Settings
from todo_mcp.tools import create_mcp_server


async def serve_stdio(settings: Settings) -> None:
    """Serve MCP on stdin/stdout as the user named by TODO_MCP_TOKEN, verified like a token at /mcp
    (its audience included); its scopes decide which tools it may call."""
    if settings.todo_mcp_token is None:
        raise SystemExit("todo-mcp --transport stdio needs TODO_MCP_TOKEN (mint one: todo-token)")
    try:
        principal = await TokenVerifier(settings.mcp_auth_config()).verify(
            settings.todo_mcp_token.get_secret_value()
        )
    except Unauthorized as exc:
        raise SystemExit(f"TODO_MCP_TOKEN refused: {exc.detail}") from exc
    async with migrated_engine(settings, MIGRATIONS, VERSION_TABLE) as engine:
        sessionmaker = create_sessionmaker(engine)
        # The tools read identity from the auth context, as over HTTP; here one token fills it.
        auth_context_var.set(AuthenticatedUser(access_token(principal)))
        server = create_mcp_server(lambda: sessionmaker, settings)
        async with purging(sessionmaker, settings.idempotency_purge_interval_seconds):
            await server.run_stdio_async()


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(prog="todo-mcp", description=__doc__)
    parser.add_argument("--transport", choices=["http", "stdio"], default="http")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.transport == "stdio":
        # stdout carries the protocol; every log line goes to stderr.
        configure_logging(settings.log_level, settings.log_format, "todo-mcp")
        asyncio.run(serve_stdio(settings))
    else:
        serve("todo_mcp.app:create_app", settings, "mcp-server")


if __name__ == "__main__":
    main(sys.argv[1:])
