"""Pending approvals: a chat run paused before a tool the user must confirm (a delete, a bulk
change). The gateway parks the run's state here and resumes it on the user's decision, from any
replica.

A decision is recorded once, atomically: the first `approve`/`reject` wins and is told so
(`first`), the same decision again is answered with the stored approval (its `outcome`, once the
gateway has stored the resumed turn's answer), a different one is a 409. A pending approval past
`expires_at` can no longer be decided (410).
"""

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from history_service.models import PendingApproval
from todo_common.db import table, utcnow
from todo_common.ids import ID_PATTERN, new_id
from todo_common.json_values import JSONObject
from todo_common.problems import Conflict, NotFound, ProblemError
from todo_common.text import Storable

APPROVALS = table(PendingApproval).c
Decision = Literal["approve", "reject"]


class ApprovalCreate(BaseModel):
    """A run to park: the tool call awaiting the user's decision and the run's serialized state."""

    model_config = ConfigDict(extra="forbid")
    conversation_id: Annotated[str, Field(pattern=ID_PATTERN)]
    message_id: Annotated[str, Field(pattern=ID_PATTERN)] = Field(
        description="The user message whose turn is paused."
    )
    tool: Annotated[str, Field(min_length=1, max_length=100), Storable]
    arguments: JSONObject
    summary: Annotated[str, Field(min_length=1, max_length=500), Storable] = Field(
        description="The question put to the user, e.g. \"Delete task 3 'Buy milk'?\"."
    )
    state: Annotated[str, Field(min_length=1, max_length=2_000_000), Storable] = Field(
        description="The paused run's state (the Agents SDK's RunState JSON), opaque here."
    )
    ttl_seconds: Annotated[int, Field(strict=True, ge=1, le=7 * 86_400)] = Field(
        description="How long the approval may be decided."
    )


class DecisionCreate(BaseModel):
    """The user's answer."""

    model_config = ConfigDict(extra="forbid")
    decision: Decision


class OutcomeWrite(BaseModel):
    """The resumed turn's answer, kept so a retried decision gets it again."""

    model_config = ConfigDict(extra="forbid")
    outcome: JSONObject


class ApprovalPublic(BaseModel):
    """A paused run, with its state."""

    id: str
    conversation_id: str
    message_id: str
    tool: str
    arguments: dict[str, Any]
    summary: str
    state: str
    decision: Decision | None
    outcome: dict[str, Any] | None
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None


class DecisionResult(BaseModel):
    """The approval after a decision; `first` is true only for the request that recorded it (the
    one that must resume the run)."""

    approval: ApprovalPublic
    first: bool


class ApprovalExpired(ProblemError):
    status = 410


def to_public(approval: PendingApproval) -> ApprovalPublic:
    return ApprovalPublic.model_validate(approval, from_attributes=True)


class Approvals:
    """One user's pending approvals, in the request's transaction."""

    def __init__(self, session: AsyncSession, user_id: str) -> None:
        self.session = session
        self.user_id = user_id

    async def create(self, data: ApprovalCreate) -> PendingApproval:
        """Park a run until its user decides, for `ttl_seconds`."""
        now = utcnow()
        fields = data.model_dump(exclude={"ttl_seconds"})
        approval = PendingApproval(
            **fields,
            id=new_id("apr"),
            user_id=self.user_id,
            created_at=now,
            expires_at=now + timedelta(seconds=data.ttl_seconds),
        )
        self.session.add(approval)
        await self.session.flush()
        return approval

    async def get(self, approval_id: str) -> PendingApproval:
        """The caller's approval; NotFound for an unknown id or another user's."""
        found = await self.session.execute(
            select(PendingApproval).where(
                APPROVALS.user_id == self.user_id, APPROVALS.id == approval_id
            )
        )
        approval = found.scalar_one_or_none()
        if approval is None:
            raise NotFound(f"Approval {approval_id} not found.")
        return approval

    async def decide(self, approval_id: str, decision: Decision) -> DecisionResult:
        """Record the decision if it is the first (one conditional update: concurrent deciders
        cannot both win), else answer with what was recorded."""
        now = utcnow()
        recorded = await self.session.execute(
            update(PendingApproval)
            .where(
                APPROVALS.user_id == self.user_id,
                APPROVALS.id == approval_id,
                APPROVALS.decision.is_(None),
                APPROVALS.expires_at > now,
            )
            .values(decision=decision, decided_at=now)
            .returning(APPROVALS.id)
        )
        first = recorded.first() is not None
        approval = await self.get(approval_id)
        await self.session.refresh(approval)
        if not first:
            if approval.decision is None:
                raise ApprovalExpired(f"Approval {approval_id} has expired; nothing was run.")
            if approval.decision != decision:
                raise Conflict(f"Approval {approval_id} was already decided: {approval.decision}.")
        return DecisionResult(approval=to_public(approval), first=first)

    async def record_outcome(self, approval_id: str, outcome: dict[str, Any]) -> PendingApproval:
        """Keep the resumed turn's answer; only a decided approval has one."""
        approval = await self.get(approval_id)
        if approval.decision is None:
            raise Conflict(f"Approval {approval_id} is not decided yet.")
        approval.outcome = outcome
        await self.session.flush()
        return approval
