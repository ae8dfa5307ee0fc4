"""Turn admission (`/api/{user}/turn-slots`): the per-user rate and concurrency limits every gateway
replica shares, checked atomically, on PostgreSQL and SQLite."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from history_service.settings import HistorySettings
from todo_common.db import utcnow
from todo_testing.tokens import auth_header

# A policy that only the concurrency cap can refuse, and one that only the rate can.
ROOMY = {"burst": 1000, "per_minute": 1000, "concurrent": 1000, "hold_seconds": 60}


def patient(settings: HistorySettings) -> HistorySettings:
    """Settings whose waits for a connection outlast a burst of new ones on a busy machine (each
    concurrent claim opens its own): a refusal here must come from the limits, not a 503."""
    return settings.model_copy(
        update={"db_connect_timeout_seconds": 60.0, "db_pool_timeout_seconds": 60.0}
    )


def policy(**changes: int) -> dict[str, int]:
    return {**ROOMY, **changes}


async def claim(user, **changes):
    return await user.post("/turn-slots", json=policy(**changes))


def assert_refused(response, reason: str) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["reason"] == reason
    retry_after = int(response.headers["retry-after"])
    assert retry_after >= 1
    assert body["retry_after"] == retry_after


async def test_the_burst_is_admitted_then_the_rate_refuses_with_retry_after(alice, bob):
    for _ in range(3):
        admitted = await claim(alice, burst=3, per_minute=1)
        assert admitted.status_code == 201, admitted.text
        assert set(admitted.json()) == {"id", "expires_at"}
    refused = await claim(alice, burst=3, per_minute=1)
    assert_refused(refused, "rate")
    # One turn a minute refills one token in at most 60 s.
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert (await claim(bob, burst=3, per_minute=1)).status_code == 201


async def test_the_bucket_refills_with_time(alice, db):
    assert (await claim(alice, burst=1, per_minute=1)).status_code == 201
    assert_refused(await claim(alice, burst=1, per_minute=1), "rate")
    async with db.begin() as connection:  # a minute passes
        await connection.execute(
            text("UPDATE turn_buckets SET full_at = :moment WHERE user_id = 'alice'"),
            {"moment": utcnow() - timedelta(minutes=1)},
        )
    assert (await claim(alice, burst=1, per_minute=1)).status_code == 201


async def test_a_released_slot_frees_its_place_and_a_second_release_is_404(alice):
    first = await claim(alice, concurrent=1)
    assert first.status_code == 201
    assert_refused(await claim(alice, concurrent=1), "concurrency")
    slot_id = first.json()["id"]
    assert (await alice.delete(f"/turn-slots/{slot_id}")).status_code == 204
    assert (await alice.delete(f"/turn-slots/{slot_id}")).status_code == 404
    assert (await claim(alice, concurrent=1)).status_code == 201


async def test_an_expired_slot_frees_its_place(alice, db):
    held = await claim(alice, concurrent=1, hold_seconds=30)
    assert held.status_code == 201
    assert_refused(await claim(alice, concurrent=1), "concurrency")
    async with db.begin() as connection:  # its gateway died; the hold time passes
        await connection.execute(
            text("UPDATE turn_slots SET expires_at = :moment WHERE user_id = 'alice'"),
            {"moment": utcnow() - timedelta(seconds=1)},
        )
    assert (await claim(alice, concurrent=1)).status_code == 201
    assert (await alice.delete(f"/turn-slots/{held.json()['id']}")).status_code == 404


async def test_another_users_slot_is_404_and_stays_held(alice, bob, client):
    slot_id = (await claim(alice, concurrent=1)).json()["id"]
    assert (await bob.delete(f"/turn-slots/{slot_id}")).status_code == 404
    foreign_path = await client.delete(
        f"/api/alice/turn-slots/{slot_id}", headers=auth_header("bob")
    )
    assert foreign_path.status_code == 403
    foreign_claim = await client.post(
        "/api/alice/turn-slots", json=ROOMY, headers=auth_header("bob")
    )
    assert foreign_claim.status_code == 403
    assert_refused(await claim(alice, concurrent=1), "concurrency")
    assert (await alice.delete(f"/turn-slots/{slot_id}")).status_code == 204


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("burst", 0),
        ("burst", 10**30),
        ("per_minute", -1),
        ("per_minute", 1.5),
        ("concurrent", True),
        ("concurrent", "3"),
        ("hold_seconds", 86_401),
        ("hold_seconds", None),
    ],
)
async def test_a_bad_policy_value_is_422_naming_the_field(alice, field, value):
    response = await alice.post("/turn-slots", json={**ROOMY, field: value})
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]


async def test_a_missing_or_unknown_policy_field_is_422_naming_it(alice):
    missing = {key: value for key, value in ROOMY.items() if key != "concurrent"}
    response = await alice.post("/turn-slots", json=missing)
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["concurrent"]
    response = await alice.post("/turn-slots", json={**ROOMY, "unlimited": True})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["unlimited"]


@pytest.mark.parametrize("slot_id", ["..", "a%2Fb", "x" * 65, "slot%00"])
async def test_a_malformed_slot_id_is_422(alice, slot_id):
    response = await alice.delete(f"/turn-slots/{slot_id}")
    assert response.status_code in (404, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_concurrent_claims_from_two_replicas_never_exceed_the_cap(
    settings: HistorySettings, make_client
):
    """Two app instances (two engines and pools) on one database claim at once for one user."""
    headers = auth_header("carol")
    async with make_client(patient(settings)) as one, make_client(patient(settings)) as two:

        async def claim_on(replica):
            return await replica.post(
                "/api/carol/turn-slots", json=policy(concurrent=3), headers=headers
            )

        answers = await asyncio.gather(*(claim_on((one, two)[i % 2]) for i in range(24)))
        admitted = [answer for answer in answers if answer.status_code == 201]
        assert len(admitted) == 3, [answer.text for answer in answers]
        for answer in answers:
            if answer.status_code != 201:
                assert_refused(answer, "concurrency")
        released = await two.delete(
            f"/api/carol/turn-slots/{admitted[0].json()['id']}", headers=headers
        )
        assert released.status_code == 204
        assert (await claim_on(one)).status_code == 201


async def test_concurrent_claims_from_two_replicas_share_one_bucket(
    settings: HistorySettings, make_client
):
    async with make_client(patient(settings)) as one, make_client(patient(settings)) as two:
        answers = await asyncio.gather(
            *(
                (one, two)[i % 2].post(
                    "/api/dave/turn-slots",
                    json=policy(burst=5, per_minute=1),
                    headers=auth_header("dave"),
                )
                for i in range(20)
            )
        )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * 5 + [429] * 15, [a.text for a in answers if a.status_code != 429]
