"""HTTP routes: parse, authorize (PathOwner), call the service, return the public schema."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status

from history_service.schemas import (
    ConversationCreate,
    ConversationPublic,
    ConversationUpdate,
    MessageAppended,
    MessageBatch,
    MessageCreate,
    MessageList,
    MessagePublic,
    MessageWrite,
    Page,
    StoredJSONResponse,
    stored_messages,
)
from history_service.service import HistoryService, etag, to_public
from todo_common.auth import PathOwner
from todo_common.db import SessionDep
from todo_common.ids import ID_PATTERN
from todo_common.problems import problem_responses
from todo_common.text import NO_NUL_PATTERN


async def history_service(
    request: Request, session: SessionDep, owner: PathOwner
) -> HistoryService:
    """The service, bound to the verified caller and the request's transaction."""
    return HistoryService(session, owner.user_id, request.app.state.conversation_cursors)


Service = Annotated[HistoryService, Depends(history_service)]
# Ids are checked against the one id pattern before any query: text outside it (a NUL, `/`, `..`)
# is a 422 naming the parameter, never a database error.
ConversationId = Annotated[str, Path(pattern=ID_PATTERN, description="The conversation's id.")]
MessageId = Annotated[str, Path(pattern=ID_PATTERN, description="The message's id.")]
AUTH_ERRORS = (401, 403, 422)
RETURN_MINIMAL = "return=minimal"

router = APIRouter(
    prefix="/api/{user_id}", tags=["conversations"], responses=problem_responses(*AUTH_ERRORS)
)


@router.post(
    "/conversations",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": ConversationPublic, "description": "Already existed"},
        **problem_responses(409),
    },
)
async def create_conversation(
    data: ConversationCreate, service: Service, response: Response
) -> ConversationPublic:
    """Start a conversation. Sending an `id` you already used returns that conversation with 200."""
    conversation, created = await service.create_conversation(data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return ConversationPublic.model_validate(conversation, from_attributes=True)


@router.get("/conversations")
async def list_conversations(
    service: Service,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[
        str | None, Query(max_length=512, description="`next_cursor` of the previous page.")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200, pattern=NO_NUL_PATTERN, description="Only titles containing this text."
        ),
    ] = None,
) -> Page[ConversationPublic]:
    """The caller's conversations, most recently active first."""
    return await service.list_conversations(limit, cursor, q)


@router.get("/conversations/{conversation_id}", responses=problem_responses(404))
async def get_conversation(conversation_id: ConversationId, service: Service) -> ConversationPublic:
    """One conversation."""
    return ConversationPublic.model_validate(
        await service.conversation(conversation_id), from_attributes=True
    )


@router.patch("/conversations/{conversation_id}", responses=problem_responses(404))
async def rename_conversation(
    conversation_id: ConversationId, data: ConversationUpdate, service: Service
) -> ConversationPublic:
    """Rename a conversation."""
    conversation = await service.rename_conversation(conversation_id, data.title)
    return ConversationPublic.model_validate(conversation, from_attributes=True)


@router.delete(
    "/conversations/{conversation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404),
)
async def delete_conversation(conversation_id: ConversationId, service: Service) -> None:
    """Delete a conversation (kept in storage, gone from every request)."""
    await service.delete_conversation(conversation_id)


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=Page[MessagePublic],
    responses=problem_responses(404),
)
async def list_messages(
    conversation_id: ConversationId,
    service: Service,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    order: Literal["asc", "desc"] = "asc",
    after: Annotated[
        str | None,
        Query(pattern=ID_PATTERN, description="A message id (or `next_cursor`): start after it."),
    ] = None,
) -> StoredJSONResponse:
    """Messages in the order they were added (`asc`) or newest first (`desc`)."""
    page = await service.list_messages(conversation_id, limit, order == "desc", after)
    return StoredJSONResponse(
        {
            "items": stored_messages(page.items),
            "next_cursor": page.next_cursor,
            "has_more": page.has_more,
        }
    )


@router.post(
    "/conversations/{conversation_id}/messages",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": MessagePublic, "description": "Same id and body: a retry"},
        **problem_responses(404, 409),
    },
)
async def add_message(
    conversation_id: ConversationId, data: MessageCreate, service: Service, response: Response
) -> MessagePublic:
    """Append a message. Retrying with the same `id` and body stores nothing new and returns 200."""
    message, created = await service.add_message(conversation_id, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return to_public(message)


@router.post(
    "/conversations/{conversation_id}/messages:append",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageAppended,
    responses={
        200: {"model": MessageAppended, "description": "Same id and body: a retry"},
        **problem_responses(404, 409),
    },
)
async def append_message(
    conversation_id: ConversationId,
    data: MessageCreate,
    service: Service,
    recent: Annotated[
        int, Query(ge=1, le=200, description="How many of the newest messages to return.")
    ] = 50,
) -> StoredJSONResponse:
    """Append a message exactly as `POST .../messages` does (its `ETag` in the response), and
    return the conversation's newest `recent` messages up to and including it (what a chat turn needs before the model runs, in one
    round trip): messages other requests add at the same moment come after it and are left out."""
    message, created = await service.add_message(conversation_id, data)
    rows = await service.messages_through(message, recent)
    return StoredJSONResponse(
        {"message": to_public(message).model_dump(mode="json"), "recent": stored_messages(rows)},
        status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        headers={"ETag": etag(message)},
    )


@router.put(
    "/conversations/{conversation_id}/messages/{message_id}",
    responses={
        201: {"model": MessagePublic, "description": "Created"},
        **problem_responses(404, 409, 412),
    },
)
async def put_message(
    conversation_id: ConversationId,
    message_id: MessageId,
    data: MessageWrite,
    service: Service,
    response: Response,
    if_match: Annotated[
        str | None,
        Header(
            max_length=1000,
            description="Replace the message only if its `ETag` is still this one (else 412).",
        ),
    ] = None,
) -> MessagePublic:
    """Create the message with this id, or replace its content; with `If-Match`, replace it only
    as it was when read (a compare-and-set: 412 when it has changed or does not exist)."""
    message, created = await service.put_message(conversation_id, message_id, data, if_match)
    if created:
        response.status_code = status.HTTP_201_CREATED
    response.headers["ETag"] = etag(message)
    return to_public(message)


@router.put(
    "/conversations/{conversation_id}/messages:batch",
    response_model=MessageList,
    responses={
        204: {"description": "Stored; sent for `Prefer: return=minimal`"},
        **problem_responses(404, 409),
    },
)
async def put_messages(
    conversation_id: ConversationId,
    batch: MessageBatch,
    service: Service,
    prefer: Annotated[
        str | None,
        Header(description="`return=minimal`: answer 204 without echoing the messages (RFC 7240)."),
    ] = None,
) -> MessageList | Response:
    """Create or replace several messages, in order and all or nothing (one chat turn's writes)."""
    messages = await service.put_messages(conversation_id, batch)
    if prefer is not None and RETURN_MINIMAL in prefer.replace(" ", "").split(","):
        return Response(
            status_code=status.HTTP_204_NO_CONTENT,
            headers={"Preference-Applied": RETURN_MINIMAL},
        )
    return MessageList(items=[to_public(message) for message in messages])


@router.get(
    "/conversations/{conversation_id}/messages/{message_id}", responses=problem_responses(404)
)
async def get_message(
    conversation_id: ConversationId, message_id: MessageId, service: Service, response: Response
) -> MessagePublic:
    """One message, with its `ETag` (for a conditional `PUT`)."""
    message = await service.get_message(conversation_id, message_id)
    response.headers["ETag"] = etag(message)
    return to_public(message)


@router.delete(
    "/conversations/{conversation_id}/messages/{message_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404),
)
async def delete_message(
    conversation_id: ConversationId, message_id: MessageId, service: Service
) -> None:
    """Delete one message."""
    await service.delete_message(conversation_id, message_id)
