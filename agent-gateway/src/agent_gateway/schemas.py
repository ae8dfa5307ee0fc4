"""Wire models of the REST chat endpoint."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from todo_common.ids import ID_PATTERN
from todo_common.text import Storable

MESSAGE_MAX = 10_000


class ChatRequest(BaseModel):
    """One user message; `message_id` makes a retry safe."""

    model_config = ConfigDict(extra="forbid")
    conversation_id: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        description="Continue this conversation; omit to start one.",
    )
    message: Annotated[
        str,
        Field(min_length=1, max_length=MESSAGE_MAX, description="What the user says."),
        Storable,
    ]
    message_id: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        description="Idempotency key: a retry with the same id stores nothing twice.",
    )

    @field_validator("message")
    @classmethod
    def _not_blank(cls, message: str) -> str:
        if not message.strip():
            raise ValueError("the message is blank")
        return message


class ToolCallPublic(BaseModel):
    """A task tool the assistant called during the turn."""

    name: str
    arguments: dict[str, Any] | str | None
    result: Any
    status: Literal["ok", "error"]


class PendingApprovalPublic(BaseModel):
    """A change the assistant will make only once the user approves it."""

    id: str
    tool: str
    arguments: dict[str, Any]
    summary: str
    expires_at: datetime


class ChatResponse(BaseModel):
    """The assistant's answer, with the tool calls that produced it."""

    conversation_id: str
    response: str
    tool_calls: list[ToolCallPublic]
    pending_approval: PendingApprovalPublic | None = Field(
        default=None,
        description="Set when the turn waits for the user's decision: "
        "POST /api/{user_id}/chat/approvals/{id} with approve or reject.",
    )


Decision = Literal["approve", "reject"]
"""The user's answer to a pending approval."""


class DecisionRequest(BaseModel):
    """The user's answer to a pending approval."""

    model_config = ConfigDict(extra="forbid")
    decision: Decision
