"""TEST ONLY: the real mcp-server app behind one layer that signs every request in as a fixed user.

The MCP conformance suite cannot send an `Authorization` header. This layer gives each HTTP request
a bearer token minted with the test secret (audience MCP_RESOURCE_URL, both scopes), so the suite
meets the real token verifier, tools and transport. It lives under tests/ and is never part of a
product image.

`python conformance_app.py` serves it on HOST/PORT the way `todo-mcp` serves the product.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

from todo_common.serve import serve
from todo_mcp.app import create_app as create_mcp_app
from todo_mcp.settings import Settings
from todo_testing.tokens import token_for

USER_ID = "conformance-user"


def create_app() -> ASGIApp:
    """mcp-server, every HTTP request carrying the fixed user's token (uvicorn factory)."""
    settings = Settings()
    token = token_for(USER_ID, audience=settings.resource_url)  # and both task scopes
    authorization = (b"authorization", f"Bearer {token}".encode())
    app = create_mcp_app(settings)

    async def signed_in(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k != b"authorization"]
            scope = {**scope, "headers": [*headers, authorization]}
        await app(scope, receive, send)

    return signed_in


if __name__ == "__main__":
    # Run as a script, this directory is on sys.path, so uvicorn imports the factory by name.
    serve("conformance_app:create_app", Settings(), "mcp-server-conformance")
