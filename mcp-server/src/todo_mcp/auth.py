"""The bearer token as the MCP SDK sees it: our JWT verification behind its TokenVerifier protocol."""

import time
from collections import OrderedDict

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver.exceptions import ToolError

from todo_common.auth import Principal, TokenVerifier
from todo_common.problems import Unauthorized


def access_token(principal: Principal) -> AccessToken:
    """The SDK's view of a verified caller; `subject` is the user id."""
    expires = principal.claims.get("exp")
    return AccessToken(
        token=principal.token,
        client_id=principal.user_id,
        scopes=[],
        expires_at=int(expires) if isinstance(expires, int | float) else None,
        subject=principal.user_id,
        claims=principal.claims,
    )


class JwtTokenVerifier:
    """`mcp.server.auth.provider.TokenVerifier`: None (→ 401) for any token we would refuse.

    An agent sends the same token with every tool call, and verifying it is a large share of a
    call's CPU; a token that verified is trusted again for `reuse_seconds` (never past its `exp`).
    Failures are never cached."""

    def __init__(
        self, verifier: TokenVerifier, reuse_seconds: float = 60, max_tokens: int = 4096
    ) -> None:
        self.verifier = verifier
        self.reuse_seconds = reuse_seconds
        self.max_tokens = max_tokens
        self._verified: OrderedDict[str, tuple[AccessToken, float]] = OrderedDict()

    async def verify_token(self, token: str) -> AccessToken | None:
        """The caller behind `token`, or None."""
        now = time.time()
        if (cached := self._verified.get(token)) is not None and now < cached[1]:
            return cached[0]
        try:
            verified = access_token(await self.verifier.verify(token))
        except Unauthorized:
            return None
        good_until = now + self.reuse_seconds
        if verified.expires_at is not None:
            good_until = min(good_until, verified.expires_at)
        self._remember(token, verified, good_until)
        return verified

    def _remember(self, token: str, verified: AccessToken, good_until: float) -> None:
        self._verified[token] = (verified, good_until)
        self._verified.move_to_end(token)
        while len(self._verified) > self.max_tokens:
            self._verified.popitem(last=False)


def current_user_id() -> str:
    """The user id of the verified token this tool call runs under; never a tool argument."""
    token = get_access_token()
    if token is None or not token.subject:
        raise ToolError("Not authenticated: a bearer token is required.")
    if token.expires_at is not None and token.expires_at < time.time():
        raise ToolError("The bearer token has expired; sign in again.")
    return token.subject
