"""The JWT matrix over HTTP: every bad token is 401 with WWW-Authenticate; a foreign path is 403."""

import time

import jwt
import pytest

from history_service.settings import HistorySettings
from todo_testing.tokens import TEST_JWT_SECRET, broken_tokens, token_for

ISSUER, AUDIENCE = "https://auth.todo.test", "todo-assistant"


@pytest.fixture
async def strict_client(database_url, make_client):
    """An instance that also insists on an issuer and an audience."""
    settings = HistorySettings(
        database_url=database_url,
        migrate_on_start=False,
        auth_jwt_secret=TEST_JWT_SECRET,
        auth_issuer=ISSUER,
        auth_audience=AUDIENCE,
        app_env="test",
    )
    async with make_client(settings) as client:
        yield client


@pytest.mark.parametrize("kind", list(broken_tokens("alice")))
async def test_every_broken_token_is_401(strict_client, kind):
    token = broken_tokens("alice")[kind]
    response = await strict_client.get(
        "/api/alice/conversations", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401, kind
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"
    assert token not in response.text


async def test_missing_or_non_bearer_credentials_are_401(strict_client):
    for headers in [{}, {"Authorization": "Basic YWxpY2U6cHc="}, {"Authorization": "Bearer"}]:
        response = await strict_client.get("/api/alice/conversations", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_token_with_the_right_issuer_and_audience_is_accepted(strict_client):
    token = token_for("alice", issuer=ISSUER, audience=AUDIENCE)
    response = await strict_client.get(
        "/api/alice/conversations", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


async def test_a_token_without_sub_is_401(strict_client):
    now = int(time.time())
    token = jwt.encode(
        {"iat": now, "exp": now + 60, "iss": ISSUER, "aud": AUDIENCE},
        TEST_JWT_SECRET,
        algorithm="HS256",
    )
    response = await strict_client.get(
        "/api/alice/conversations", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401


async def test_a_path_naming_another_user_is_403(alice):
    for method, path in [
        ("GET", "/conversations"),
        ("POST", "/conversations"),
        ("GET", "/conversations/x/messages"),
    ]:
        response = await alice.client.request(
            method, f"/api/mallory{path}", headers=alice.headers, json={}
        )
        assert response.status_code == 403, path
