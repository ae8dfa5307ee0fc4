"""POST /chatkit: verify the caller, pre-check what the request names, then process or stream it."""

from collections.abc import AsyncIterator

from chatkit.server import StreamingResult
from chatkit.types import (
    ChatKitReq,
    ThreadsAddUserMessageReq,
    ThreadsCreateReq,
    ThreadsRetryAfterItemReq,
)
from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from pydantic import TypeAdapter, ValidationError

from agent_gateway.chatkit_server import TodoChatKitServer
from agent_gateway.context import RequestContext
from agent_gateway.schemas import MESSAGE_MAX
from todo_common.auth import Principal, TokenVerifier
from todo_common.problems import FieldError, InvalidInput, Unauthorized

_requests = TypeAdapter[ChatKitReq](ChatKitReq)


async def verify_bearer(request: Request) -> Principal:
    """The caller of a /chatkit request, verified like every REST route."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("A bearer token is required.")
    verifier: TokenVerifier = request.app.state.token_verifier
    return await verifier.verify(token.strip())


async def handle_chatkit(server: TodoChatKitServer, body: bytes, caller: Principal) -> Response:
    """Run one ChatKit request; errors before the first event become problem responses."""
    try:
        parsed = _requests.validate_json(body)
    except ValidationError as exc:
        raise InvalidInput("Not a ChatKit request.", errors=_field_errors(exc)) from exc
    _check_input_length(parsed)
    context = RequestContext(caller)
    if isinstance(parsed, ThreadsRetryAfterItemReq):
        await server.store.load_item(parsed.params.thread_id, parsed.params.item_id, context)
    result = await server.process(body, context)
    if not isinstance(result, StreamingResult):
        return Response(result.json, media_type="application/json")
    events = aiter(result)
    # Pull the first event before answering: a missing thread or an unreachable history-service
    # is then a 404/503 problem instead of a 200 stream that is cut short.
    first = await anext(events, b"")
    return StreamingResponse(
        _chain(first, events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _check_input_length(request: ChatKitReq) -> None:
    if not isinstance(request, ThreadsCreateReq | ThreadsAddUserMessageReq):
        return
    length = sum(len(part.text) for part in request.params.input.content)
    if not 1 <= length <= MESSAGE_MAX:
        error = FieldError(
            location="body",
            field="params.input.content",
            message=f"a message must be 1 to {MESSAGE_MAX} characters",
        )
        raise InvalidInput(error.message, errors=[error])


async def _chain(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for chunk in rest:
        yield chunk


def _field_errors(exc: ValidationError) -> list[FieldError]:
    return [
        FieldError(
            location="body",
            field=".".join(str(part) for part in error["loc"]) or "body",
            message=error["msg"],
        )
        for error in exc.errors()[:20]
    ]
