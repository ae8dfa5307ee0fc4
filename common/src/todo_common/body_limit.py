"""A bound on every request body, enforced before and while it is read (MAX_REQUEST_BODY_BYTES).

Starlette's RequestBodyLimitMiddleware does the counting too, but answers in plain text when a
route replies without reading the body, and the MCP SDK turns the error it raises into a 500:
here the answer is always a 413 problem.
"""

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_common.asgi import HttpMiddleware
from todo_common.problems import problem_response


class ContentTooLarge(HTTPException):
    """Raised from `receive` once the body passes the limit; FastAPI renders it as a 413 problem."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


class BodyLimitMiddleware(HttpMiddleware):
    """Refuses a declared `Content-Length` over the limit without reading a byte, and stops a
    chunked body at the limit. The body itself is never buffered here."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request."""
        declared = Headers(scope=scope).get("content-length", "")
        # ASCII digits only: str.isdigit alone admits "²", which int() refuses.
        if declared.isascii() and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        exceeded = started = replaced = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise ContentTooLarge(self.max_bytes)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started, replaced
            if message["type"] == "http.response.start" and not started:
                started = True
                # Whatever the app made of the cut body (the MCP SDK: a 500), the answer is a 413.
                if exceeded:
                    replaced = True
                    await self._refuse(scope, receive, send)
            if not replaced:
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except ContentTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            Request(scope),
            413,
            ContentTooLarge(self.max_bytes).detail,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
