"""Pending approvals (`/api/{user}/approvals`): a paused run is parked, decided once (the first
decision wins, retries get the stored answer), expires, and is private to its user, on PostgreSQL
and SQLite."""

import asyncio
from datetime import timedelta

from sqlalchemy import text

from todo_common.db import utcnow

STATE = '{"$schemaVersion": "1.0", "current_turn": 1}'


def parked(**changes: object) -> dict[str, object]:
    return {
        "conversation_id": "conv-1",
        "message_id": "msg-1",
        "tool": "delete_task",
        "arguments": {"task_id": 3},
        "summary": "Delete task 3 'Buy milk'?",
        "state": STATE,
        "ttl_seconds": 900,
        **changes,
    }


async def park(user, **changes: object) -> dict:
    response = await user.post("/approvals", json=parked(**changes))
    assert response.status_code == 201, response.text
    return response.json()


async def decide(user, approval_id: str, decision: str):
    return await user.post(f"/approvals/{approval_id}/decision", json={"decision": decision})


async def test_a_parked_run_is_served_back_with_its_state(alice):
    approval = await park(alice)
    assert approval["id"].startswith("apr_")
    assert approval["decision"] is None
    assert approval["outcome"] is None
    stored = await alice.get(f"/approvals/{approval['id']}")
    assert stored.status_code == 200
    assert stored.json()["state"] == STATE
    assert stored.json()["arguments"] == {"task_id": 3}


async def test_the_first_decision_wins_and_a_retry_gets_the_stored_outcome(alice):
    approval_id = (await park(alice))["id"]
    first = await decide(alice, approval_id, "approve")
    assert first.status_code == 200, first.text
    assert first.json()["first"] is True
    assert first.json()["approval"]["decision"] == "approve"
    outcome = {"reply": "Deleted task 3."}
    kept = await alice.put(f"/approvals/{approval_id}/outcome", json={"outcome": outcome})
    assert kept.status_code == 200, kept.text
    again = await decide(alice, approval_id, "approve")
    assert again.status_code == 200
    assert again.json()["first"] is False
    assert again.json()["approval"]["outcome"] == outcome
    other = await decide(alice, approval_id, "reject")
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"


async def test_concurrent_decisions_record_exactly_one_first(alice):
    approval_id = (await park(alice))["id"]
    answers = await asyncio.gather(*(decide(alice, approval_id, "reject") for _ in range(5)))
    assert [answer.status_code for answer in answers] == [200] * 5
    assert sum(answer.json()["first"] for answer in answers) == 1


async def test_an_expired_approval_cannot_be_decided(alice, db):
    approval_id = (await park(alice, ttl_seconds=60))["id"]
    async with db.begin() as connection:  # its time passes
        await connection.execute(
            text("UPDATE pending_approvals SET expires_at = :moment WHERE id = :id"),
            {"moment": utcnow() - timedelta(seconds=1), "id": approval_id},
        )
    expired = await decide(alice, approval_id, "approve")
    assert expired.status_code == 410
    assert "expired" in expired.json()["detail"]
    assert (await alice.get(f"/approvals/{approval_id}")).json()["decision"] is None


async def test_another_users_approval_is_not_found(alice, bob):
    approval_id = (await park(alice))["id"]
    assert (await bob.get(f"/approvals/{approval_id}")).status_code == 404
    assert (await decide(bob, approval_id, "approve")).status_code == 404
    outcome = await bob.put(f"/approvals/{approval_id}/outcome", json={"outcome": {}})
    assert outcome.status_code == 404
    assert (await alice.get(f"/approvals/{approval_id}")).json()["decision"] is None


async def test_bad_input_is_a_problem_naming_the_field(alice):
    approval_id = (await park(alice))["id"]
    bad = await decide(alice, approval_id, "maybe")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "decision"
    no_ttl = await alice.post("/approvals", json=parked(ttl_seconds=0))
    assert no_ttl.status_code == 422
    assert no_ttl.json()["errors"][0]["field"] == "ttl_seconds"
    undecided = await alice.put(f"/approvals/{approval_id}/outcome", json={"outcome": {}})
    assert undecided.status_code == 409


async def test_text_postgresql_cannot_store_is_a_422(alice):
    refused = await alice.post("/approvals", json=parked(summary="Delete\u0000?"))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "summary"
    nested = await alice.post("/approvals", json=parked(arguments={"title": "a\u0000b"}))
    assert nested.status_code == 422
