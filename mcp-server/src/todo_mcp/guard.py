"""What /mcp refuses before the SDK's handler runs: a token in the URL, a Host or browser Origin not
allowed, a missing or refused token, and a `tools/call` outside the token's scopes."""

import json
from collections.abc import Iterator

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_common.asgi import HttpMiddleware
from todo_common.mcp_access import FULL_SCOPE
from todo_common.problems import FieldError, problem_response
from todo_mcp.scopes import missing_scope

QUERY_TOKEN = "access_token"  # noqa: S105  (a parameter name, not a secret)


class McpGuard(HttpMiddleware):
    """Sits inside the SDK's app, after its bearer authentication (so the verified token is in
    `scope["user"]`) and before the transport. It answers the 401 itself because the SDK's
    challenge names no scope."""

    def __init__(
        self, app: ASGIApp, security: TransportSecuritySettings, metadata_url: str
    ) -> None:
        super().__init__(app)
        # The SDK's own check, run here first so that a foreign Origin is a 403 whatever the token.
        self.transport = TransportSecurityMiddleware(security)
        self.metadata_url = metadata_url

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request to /mcp."""
        request = Request(scope, receive)
        if QUERY_TOKEN in request.query_params:
            await _query_token_refused(request)(scope, receive, send)
            return
        if (refused := await self.transport.validate_request(request)) is not None:
            await refused(scope, receive, send)
            return
        user = scope.get("user")
        if not isinstance(user, AuthenticatedUser):
            await self._unauthorized(request)(scope, receive, send)
            return
        if request.method == "POST":
            body = await request.body()
            for tool in _called_tools(body):
                if (needed := missing_scope(tool, user.scopes)) is not None:
                    await self._insufficient_scope(tool, needed)(scope, receive, send)
                    return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def _unauthorized(self, request: Request) -> JSONResponse:
        sent = request.headers.get("authorization", "").lower().startswith("bearer ")
        description = "The bearer token is refused." if sent else "A bearer token is required."
        error = {"error": "invalid_token", "error_description": description}
        # RFC 6750 §3.1: no error code in the challenge when the request carried no token.
        challenge = {**(error if sent else {}), "resource_metadata": self.metadata_url}
        return _challenge(401, {**challenge, "scope": FULL_SCOPE}, error)

    def _insufficient_scope(self, tool: str, needed: str) -> JSONResponse:
        description = f"{tool} needs the {needed} scope."
        error = {"error": "insufficient_scope", "error_description": description}
        challenge = {**error, "scope": needed, "resource_metadata": self.metadata_url}
        return _challenge(403, challenge, error)


def _challenge(status: int, parameters: dict[str, str], body: dict[str, str]) -> JSONResponse:
    """An OAuth error (RFC 6750), shaped like the SDK's own: the parameters in `WWW-Authenticate`,
    `error` and `error_description` in a JSON body."""
    header = "Bearer " + ", ".join(f'{name}="{value}"' for name, value in parameters.items())
    return JSONResponse(body, status_code=status, headers={"WWW-Authenticate": header})


def _query_token_refused(request: Request) -> JSONResponse:
    message = "a token in the URL is never accepted; send it in the Authorization header"
    error = FieldError(location="query", field=QUERY_TOKEN, message=message)
    return problem_response(request, 400, f"{QUERY_TOKEN}: {message}", errors=[error])


def _called_tools(body: bytes) -> Iterator[str]:
    """The tool names of the `tools/call` requests in a JSON-RPC body. A body that does not parse
    names none: the SDK answers it with its parse error."""
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):
        return
    for item in message if isinstance(message, list) else [message]:
        if isinstance(item, dict) and item.get("method") == "tools/call":
            params = item.get("params")
            if isinstance(params, dict) and isinstance(name := params.get("name"), str):
                yield name


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` for the app behind: the body already read, then whatever the client sends next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
