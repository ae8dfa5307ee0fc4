"""The gateway's two endpoints: the ChatKit protocol and a plain REST chat turn."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response

from agent_gateway import chat_service
from agent_gateway.chatkit_server import TodoChatKitServer
from agent_gateway.schemas import ChatRequest, ChatResponse, DecisionRequest
from agent_gateway.turn import RequestContext, Services
from todo_common.auth import CurrentPrincipal, PathOwner
from todo_common.ids import ID_PATTERN
from todo_common.problems import problem_responses
from todo_common.time_zones import UserTimeZone

router = APIRouter(tags=["chat"])


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _chatkit_server(request: Request) -> TodoChatKitServer:
    server: TodoChatKitServer = request.app.state.chatkit
    return server


ServicesDep = Annotated[Services, Depends(_services)]
ChatKitServerDep = Annotated[TodoChatKitServer, Depends(_chatkit_server)]
CHATKIT_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "description": "A ChatKit request: {type, params, metadata}.",
    "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}},
}


@router.post(
    "/chatkit",
    responses={
        200: {
            "description": "A JSON result, or `text/event-stream` of ChatKit thread events.",
            "content": {"text/event-stream": {}},
        },
        **problem_responses(401, 404, 413, 422, 502, 503),
    },
    # Documented here rather than declared as a parameter: FastAPI would read and parse a
    # declared body before the token is checked.
    openapi_extra={"requestBody": CHATKIT_REQUEST_BODY},
)
async def chatkit(
    request: Request, caller: CurrentPrincipal, server: ChatKitServerDep, time_zone: UserTimeZone
) -> Response:
    """The ChatKit server protocol (threads, items, streamed assistant turns)."""
    return await server.handle(await request.body(), caller, time_zone)


@router.post(
    "/api/{user_id}/chat",
    responses=problem_responses(401, 403, 404, 409, 422, 429, 502, 503, 504),
)
async def chat(
    body: ChatRequest, caller: PathOwner, services: ServicesDep, time_zone: UserTimeZone
) -> ChatResponse:
    """One chat turn: store the message, let the assistant act on the tasks, return its answer."""
    return await chat_service.chat(services, caller, body, time_zone)


@router.post(
    "/api/{user_id}/chat/approvals/{approval_id}",
    responses=problem_responses(401, 403, 404, 409, 410, 422, 429, 502, 503, 504),
)
async def decide_approval(
    approval_id: Annotated[str, Path(pattern=ID_PATTERN)],
    body: DecisionRequest,
    caller: PathOwner,
    services: ServicesDep,
    time_zone: UserTimeZone,
) -> ChatResponse:
    """Approve or reject a change the assistant asked about (`pending_approval` of a chat
    answer): the resumed turn's answer. Retrying the same decision gets the same answer and
    changes nothing twice; a different one is 409; an expired approval 410 (nothing ran)."""
    context = RequestContext(caller, time_zone=time_zone)
    return await chat_service.decide(services, context, approval_id, body.decision)
