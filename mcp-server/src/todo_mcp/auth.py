"""The bearer token as the MCP SDK sees it: our JWT verification behind its TokenVerifier protocol."""

import time

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver.exceptions import ToolError

from todo_common.auth import Principal, TokenVerifier
from todo_common.problems import Unauthorized


def access_token(principal: Principal) -> AccessToken:
    """The SDK's view of a verified caller: `subject` is the user id, `scopes` the space-separated
    `scope` claim, `client_id` the OAuth client (`client_id`/`azp`; a first-party token has none,
    and stands for the user's own app)."""
    claims = principal.claims
    expires = claims.get("exp")
    scope = claims.get("scope")
    client = claims.get("client_id") or claims.get("azp")
    return AccessToken(
        token=principal.token,
        client_id=client if isinstance(client, str) else principal.user_id,
        scopes=scope.split() if isinstance(scope, str) else [],
        expires_at=int(expires) if isinstance(expires, int | float) else None,
        subject=principal.user_id,
        claims=claims,
    )


class JwtTokenVerifier:
    """`mcp.server.auth.provider.TokenVerifier`: None (→ 401) for any token we would refuse."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier

    async def verify_token(self, token: str) -> AccessToken | None:
        """The caller behind `token`, or None."""
        try:
            return access_token(await self.verifier.verify(token))
        except Unauthorized:
            return None


def current_token() -> AccessToken:
    """The verified token this tool call runs under."""
    token = get_access_token()
    if token is None or not token.subject:
        raise ToolError("Not authenticated: a bearer token is required.")
    if token.expires_at is not None and token.expires_at < time.time():
        raise ToolError("The bearer token has expired; sign in again.")
    return token


def current_user_id() -> str:
    """The user id of the verified token this tool call runs under; never a tool argument."""
    subject = current_token().subject
    assert subject is not None  # current_token refuses a token without one
    return subject
