"""`todo-token USER_ID`: mint an HS256 development token signed with AUTH_JWT_SECRET."""

import argparse
import time
from typing import Any

import jwt

from todo_common.settings import ServiceSettings


def mint_token(
    user_id: str,
    secret: str,
    *,
    ttl_seconds: int = 3600,
    issuer: str | None = None,
    audience: str | None = None,
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


def dev_token(user_id: str, ttl_seconds: int) -> str:
    """A token for `user_id` signed as the configured services expect (AUTH_JWT_SECRET, AUTH_ISSUER,
    AUTH_AUDIENCE, or the local development secret); ValueError when no HS256 secret is in force."""
    settings = ServiceSettings()
    if settings.jwt_secret is None:
        raise ValueError("no HS256 secret configured: set AUTH_JWT_SECRET")
    return mint_token(
        user_id,
        settings.jwt_secret,
        ttl_seconds=ttl_seconds,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
    )


def main(argv: list[str] | None = None) -> None:
    """Print a token for the user named on the command line."""
    parser = argparse.ArgumentParser(prog="todo-token", description=__doc__)
    parser.add_argument("user_id")
    parser.add_argument("--ttl", type=int, default=24 * 3600, help="seconds until it expires")
    args = parser.parse_args(argv)
    try:
        print(dev_token(args.user_id, args.ttl))
    except ValueError as exc:
        parser.error(str(exc))
