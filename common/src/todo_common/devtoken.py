"""`todo-token USER_ID`: mint an HS256 development token signed with AUTH_JWT_SECRET."""

import argparse
import os
import time
from typing import Any

import jwt

from todo_common.mcp_access import DEFAULT_MCP_RESOURCE_URL, FULL_SCOPE, TASK_SCOPES
from todo_common.settings import ServiceSettings


def mint_token(
    user_id: str,
    secret: str,
    *,
    ttl_seconds: int = 3600,
    issuer: str | None = None,
    audience: str | list[str] | None = None,
    **claims: Any,
) -> str:
    """A signed token for `user_id`, valid for `ttl_seconds`."""
    now = int(time.time())
    payload: dict[str, Any] = {"sub": user_id, "iat": now, "exp": now + ttl_seconds, **claims}
    if issuer:
        payload["iss"] = issuer
    if audience:
        payload["aud"] = audience
    return jwt.encode(payload, secret, algorithm="HS256")


def dev_token(user_id: str, ttl_seconds: int, scope: str = FULL_SCOPE) -> str:
    """A token for `user_id` signed as the configured services expect (AUTH_JWT_SECRET, AUTH_ISSUER,
    the local development secret), for AUTH_AUDIENCE and the task server's MCP_RESOURCE_URL, with
    `scope`; ValueError when no HS256 secret is in force."""
    settings = ServiceSettings()
    if settings.jwt_secret is None:
        raise ValueError("no HS256 secret configured: set AUTH_JWT_SECRET")
    resource = os.environ.get("MCP_RESOURCE_URL") or DEFAULT_MCP_RESOURCE_URL
    audience = [settings.auth_audience, resource] if settings.auth_audience else [resource]
    return mint_token(
        user_id,
        settings.jwt_secret,
        ttl_seconds=ttl_seconds,
        issuer=settings.auth_issuer,
        audience=audience,
        scope=scope,
    )


def main(argv: list[str] | None = None) -> None:
    """Print a token for the user named on the command line."""
    parser = argparse.ArgumentParser(prog="todo-token", description=__doc__)
    parser.add_argument("user_id")
    parser.add_argument("--ttl", type=int, default=24 * 3600, help="seconds until it expires")
    parser.add_argument(
        "--scope",
        default=FULL_SCOPE,
        help=f'space-separated scopes (default "{FULL_SCOPE}"; "tasks:read" for a read-only token)',
    )
    args = parser.parse_args(argv)
    if unknown := set(args.scope.split()) - set(TASK_SCOPES):
        parser.error(f"unknown scope {' '.join(sorted(unknown))} (known: {FULL_SCOPE})")
    try:
        print(dev_token(args.user_id, args.ttl, args.scope))
    except ValueError as exc:
        parser.error(str(exc))
