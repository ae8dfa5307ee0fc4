"""HTTP routes of turn admission (see turn_slots.py): claim a slot before a chat turn, release it
after."""

from typing import Annotated

from fastapi import APIRouter, Path, status

from history_service.turn_slots import TurnPolicy, TurnSlotPublic, TurnSlots
from todo_common.auth import PathOwner
from todo_common.db import SessionDep
from todo_common.ids import ID_PATTERN
from todo_common.problems import problem_responses

router = APIRouter(
    prefix="/api/{user_id}/turn-slots",
    tags=["turn admission"],
    responses=problem_responses(401, 403, 422),
)


@router.post("", status_code=status.HTTP_201_CREATED, responses=problem_responses(429))
async def claim_turn_slot(
    policy: TurnPolicy, session: SessionDep, owner: PathOwner
) -> TurnSlotPublic:
    """Admit one chat turn under `policy`, or refuse it with 429, `Retry-After` and a `reason`
    (`rate` or `concurrency`)."""
    slot = await TurnSlots(session, owner.user_id).claim(policy)
    return TurnSlotPublic(id=slot.id, expires_at=slot.expires_at)


@router.delete(
    "/{slot_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404)
)
async def release_turn_slot(
    slot_id: Annotated[str, Path(pattern=ID_PATTERN)], session: SessionDep, owner: PathOwner
) -> None:
    """End a turn: its slot is free again. 404 when the caller holds no open slot with this id."""
    await TurnSlots(session, owner.user_id).release(slot_id)
