"""Wire models: what clients send and what they get back."""

import json
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

import orjson
from fastapi.responses import JSONResponse
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from todo_common.ids import ID_PATTERN
from todo_common.text import PlainText, Storable

USER_CONTENT_MAX = 10_000
OTHER_CONTENT_MAX = 100_000
METADATA_MAX_BYTES = 64 * 1024
BATCH_MAX = 50

ClientId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Storable
]
T = TypeVar("T")


class Role(StrEnum):
    """Who wrote a message."""

    user = "user"
    assistant = "assistant"
    tool = "tool"
    system = "system"


class ConversationCreate(BaseModel):
    """Start a conversation; a client-chosen `id` makes the call idempotent."""

    model_config = ConfigDict(extra="forbid")
    id: ClientId | None = None
    title: Title | None = None


class ConversationUpdate(BaseModel):
    """Rename a conversation."""

    model_config = ConfigDict(extra="forbid")
    title: Title


class ConversationPublic(BaseModel):
    """A conversation as clients see it."""

    id: str
    user_id: str
    title: str | None
    created_at: datetime
    updated_at: datetime
    message_count: int
    last_message_preview: str | None


def _json_text(value: Any) -> str:
    # NaN and Infinity are not JSON: PostgreSQL refuses them, and stored JSON is served verbatim.
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError as exc:
        raise ValueError("numbers must be finite (no NaN or Infinity)") from exc


def _finite(value: Any) -> Any:
    _json_text(value)
    return value


class ToolCall(BaseModel):
    """One tool the assistant called during a turn, and what came back."""

    id: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=128)
    arguments: dict[str, Any] | str | None = None
    result: Any = None
    status: Literal["ok", "error"] = "ok"
    duration_ms: float | None = Field(default=None, ge=0)

    _finite_json = field_validator("arguments", "result")(_finite)


class MessageWrite(BaseModel):
    """A message's content; `POST` may add a client `id` for idempotent retries."""

    model_config = ConfigDict(extra="forbid")
    role: Role
    content: PlainText = Field(max_length=OTHER_CONTENT_MAX)
    tool_calls: list[ToolCall] | None = None
    metadata: dict[str, Any] | None = None

    @field_validator("content")
    @classmethod
    def _content_fits_role(cls, content: str, info: ValidationInfo) -> str:
        if info.data.get("role") == Role.user and not 1 <= len(content) <= USER_CONTENT_MAX:
            raise ValueError(f"a user message must be 1 to {USER_CONTENT_MAX} characters")
        return content

    @field_validator("metadata")
    @classmethod
    def _metadata_fits(cls, metadata: dict[str, Any] | None) -> dict[str, Any] | None:
        if metadata is not None and len(_json_text(metadata)) > METADATA_MAX_BYTES:
            raise ValueError(f"metadata must serialize to at most {METADATA_MAX_BYTES} bytes")
        return metadata


class MessageCreate(MessageWrite):
    """`POST .../messages`: same `id` and body again is a harmless retry."""

    id: ClientId | None = None


class MessagePut(MessageWrite):
    """One message of a batch: its id decides whether it is created or replaced."""

    id: ClientId


class MessageBatch(BaseModel):
    """`PUT .../messages:batch`: messages upserted in order, in one transaction."""

    model_config = ConfigDict(extra="forbid")
    messages: list[MessagePut] = Field(min_length=1, max_length=BATCH_MAX)

    @field_validator("messages")
    @classmethod
    def _ids_unique(cls, messages: list[MessagePut]) -> list[MessagePut]:
        if len({message.id for message in messages}) != len(messages):
            raise ValueError("each message id may appear once in a batch")
        return messages


class MessagePublic(BaseModel):
    """A message as clients see it."""

    id: str
    conversation_id: str
    role: Role
    content: str
    tool_calls: list[ToolCall] | None
    metadata: dict[str, Any] | None
    created_at: datetime


class MessageAppended(BaseModel):
    """`POST .../messages:append`: the stored message, and the conversation's newest messages
    (oldest first) as they were right after it was stored."""

    message: MessagePublic
    recent: list[MessagePublic]


class MessageList(BaseModel):
    """Messages, in the order they were sent."""

    items: list[MessagePublic]


class Page(BaseModel, Generic[T]):
    """One page of a keyset-paginated listing."""

    items: list[T]
    next_cursor: str | None
    has_more: bool


def stored_messages(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Messages read with their JSON fields as stored text (see `MESSAGE_FIELDS`), as documents
    for `StoredJSONResponse`: that text goes out as it is, never parsed and serialized again (for
    a chat window holding large tool results that was two thirds of the request's time). It was
    validated as `MessageWrite` when stored, so the result is a valid `MessagePublic`."""
    return [
        {
            "id": row.id,
            "conversation_id": row.conversation_id,
            "role": row.role,
            "content": row.content,
            "tool_calls": _stored_json(row.tool_calls),
            "metadata": _stored_json(row.metadata),
            "created_at": row.created_at,
        }
        for row in rows
    ]


def _stored_json(text: str | None) -> orjson.Fragment | None:
    return None if text is None else orjson.Fragment(text)


class StoredJSONResponse(JSONResponse):
    """JSON by orjson, which writes `stored_messages` fragments verbatim and UTC times as pydantic
    does (`…Z`)."""

    def render(self, content: Any) -> bytes:
        """The document as JSON bytes."""
        return orjson.dumps(content, option=orjson.OPT_UTC_Z)
