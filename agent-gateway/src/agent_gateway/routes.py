"""The gateway's two endpoints: the ChatKit protocol and a plain REST chat turn."""

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response

from agent_gateway import chat_service
from agent_gateway.chatkit_endpoint import handle_chatkit, verify_bearer
from agent_gateway.schemas import ChatRequest, ChatResponse
from todo_common.auth import PathOwner
from todo_common.problems import problem_responses

router = APIRouter(tags=["chat"])


@router.post(
    "/chatkit",
    responses={
        200: {
            "description": "A JSON result, or `text/event-stream` of ChatKit thread events.",
            "content": {"text/event-stream": {}},
        },
        **problem_responses(401, 404, 422, 502, 503),
    },
)
async def chatkit(
    request: Request,
    _body: Annotated[dict, Body(description="A ChatKit request: {type, params, metadata}.")],
) -> Response:
    """The ChatKit server protocol (threads, items, streamed assistant turns)."""
    caller = await verify_bearer(request)
    return await handle_chatkit(request.app.state.chatkit, await request.body(), caller)


@router.post("/api/{user_id}/chat", responses=problem_responses(401, 403, 404, 409, 422, 502, 503))
async def chat(request: Request, body: ChatRequest, caller: PathOwner) -> ChatResponse:
    """One chat turn: store the message, let the assistant act on the tasks, return its answer."""
    state = request.app.state
    return await chat_service.chat(state.gateway, state.store, caller, body)
