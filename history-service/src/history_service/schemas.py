"""Wire models: what clients send and what they get back."""

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
    PositiveInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from todo_common.ids import ID_PATTERN
from todo_common.json_values import JSON_MAX_DEPTH, json_size, storable_json
from todo_common.text import PlainText, Storable


class MessageLimits(BaseSettings):
    """Bounds on what one message or request may hold, from the environment (read once, at
    start: they shape the API's schema). Each refusal is a 422 naming the field."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    message_metadata_max_bytes: PositiveInt = 64 * 1024
    """`metadata` may be this many bytes (compact UTF-8 JSON) beyond one copy of the message's
    content, so a message of the longest allowed content always fits, whatever its characters."""
    message_tool_calls_max: PositiveInt = 64
    """Tool calls one message may record."""
    message_batch_max: PositiveInt = 50
    """Messages one `PUT .../messages:batch` may write."""
    json_max_depth: PositiveInt = JSON_MAX_DEPTH
    """Levels of nesting in `metadata` and in each tool call's `arguments` and `result`."""


LIMITS = MessageLimits()
USER_CONTENT_MAX = 10_000
OTHER_CONTENT_MAX = 100_000
METADATA_MAX_BYTES = LIMITS.message_metadata_max_bytes
TOOL_CALLS_MAX = LIMITS.message_tool_calls_max
BATCH_MAX = LIMITS.message_batch_max
StoredJSON = storable_json(max_depth=LIMITS.json_max_depth)

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


class ToolCall(BaseModel):
    """One tool the assistant called during a turn, and what came back."""

    id: Annotated[str, StringConstraints(min_length=1, max_length=128), Storable]
    name: Annotated[str, StringConstraints(min_length=1, max_length=128), Storable]
    arguments: Annotated[dict[str, Any] | str | None, StoredJSON] = None
    result: Annotated[Any, StoredJSON] = None
    status: Literal["ok", "error"] = "ok"
    duration_ms: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class MessageWrite(BaseModel):
    """A message's content; `POST` may add a client `id` for idempotent retries."""

    model_config = ConfigDict(extra="forbid")
    role: Role
    content: PlainText = Field(max_length=OTHER_CONTENT_MAX)
    tool_calls: list[ToolCall] | None = Field(default=None, max_length=TOOL_CALLS_MAX)
    metadata: Annotated[dict[str, Any] | None, StoredJSON] = Field(
        default=None,
        description=(
            f"At most {METADATA_MAX_BYTES} bytes as compact UTF-8 JSON beyond the size of the"
            f" message's content as a JSON string; nested at most {LIMITS.json_max_depth} levels."
        ),
    )

    @field_validator("content")
    @classmethod
    def _content_fits_role(cls, content: str, info: ValidationInfo) -> str:
        if info.data.get("role") == Role.user and not 1 <= len(content) <= USER_CONTENT_MAX:
            raise ValueError(f"a user message must be 1 to {USER_CONTENT_MAX} characters")
        return content

    @field_validator("metadata")
    @classmethod
    def _metadata_fits(
        cls, metadata: dict[str, Any] | None, info: ValidationInfo
    ) -> dict[str, Any] | None:
        # Metadata may carry the content once (the gateway keeps the chat item there), so the
        # bound grows with it: every character of the longest content fits, even escaped ones.
        if metadata is None:
            return None
        allowed = METADATA_MAX_BYTES + json_size(info.data.get("content", ""))
        if json_size(metadata) > allowed:
            raise ValueError(
                f"must be at most {METADATA_MAX_BYTES} bytes (compact UTF-8 JSON) beyond the"
                " size of the content"
            )
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
