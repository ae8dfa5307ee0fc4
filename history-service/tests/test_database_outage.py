"""With its database out of reach, history-service answers 503 + Retry-After, and /readyz is red."""

from history_service.settings import HistorySettings
from todo_testing.postgres import free_port
from todo_testing.tokens import TEST_JWT_SECRET, auth_header

DETAIL = "The database is unavailable right now; retry shortly."


async def test_history_routes_answer_503_while_the_database_is_unreachable(make_client) -> None:
    settings = HistorySettings(
        database_url=f"postgresql+asyncpg://todo:pw@127.0.0.1:{free_port()}/history",
        migrate_on_start=False,
        auth_jwt_secret=TEST_JWT_SECRET,
        app_env="test",
    )
    headers = auth_header("alice")
    async with make_client(settings) as client:
        listed = await client.get("/api/alice/conversations", headers=headers)
        created = await client.post("/api/alice/conversations", json={}, headers=headers)
        ready = await client.get("/readyz")
        alive = await client.get("/healthz")
    for response in (listed, created):
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "2"
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == DETAIL
    assert (ready.status_code, alive.status_code) == (503, 200)
