"""HTTP routes of pending approvals (see approvals.py): park a paused chat run, decide it, keep
the resumed turn's answer."""

from typing import Annotated

from fastapi import APIRouter, Path, status

from history_service.approvals import (
    ApprovalCreate,
    ApprovalPublic,
    Approvals,
    DecisionCreate,
    DecisionResult,
    OutcomeWrite,
    to_public,
)
from todo_common.auth import PathOwner
from todo_common.db import SessionDep
from todo_common.ids import ID_PATTERN
from todo_common.problems import problem_responses

router = APIRouter(
    prefix="/api/{user_id}/approvals",
    tags=["approvals"],
    responses=problem_responses(401, 403, 422),
)
ApprovalId = Annotated[str, Path(pattern=ID_PATTERN)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_approval(
    data: ApprovalCreate, session: SessionDep, owner: PathOwner
) -> ApprovalPublic:
    """Park a paused run until its user approves or rejects, for `ttl_seconds`."""
    return to_public(await Approvals(session, owner.user_id).create(data))


@router.get("/{approval_id}", responses=problem_responses(404))
async def get_approval(
    approval_id: ApprovalId, session: SessionDep, owner: PathOwner
) -> ApprovalPublic:
    """One of the caller's approvals, with the run's state. 404 for another user's."""
    return to_public(await Approvals(session, owner.user_id).get(approval_id))


@router.post("/{approval_id}/decision", responses=problem_responses(404, 409, 410))
async def decide_approval(
    approval_id: ApprovalId, data: DecisionCreate, session: SessionDep, owner: PathOwner
) -> DecisionResult:
    """Record the user's decision once: `first` is true for the request that recorded it; the same
    decision again returns the approval as stored; a different one is 409; an expired pending
    approval is 410."""
    return await Approvals(session, owner.user_id).decide(approval_id, data.decision)


@router.put("/{approval_id}/outcome", responses=problem_responses(404, 409))
async def record_approval_outcome(
    approval_id: ApprovalId, data: OutcomeWrite, session: SessionDep, owner: PathOwner
) -> ApprovalPublic:
    """Keep the resumed turn's answer so a retried decision is answered with it (409 while
    undecided)."""
    return to_public(
        await Approvals(session, owner.user_id).record_outcome(approval_id, data.outcome)
    )
