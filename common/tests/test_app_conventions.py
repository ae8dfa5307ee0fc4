"""The conventions every service app gets from create_service_app: problems, request ids, health, metrics."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
import pytest
from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from todo_common.app import create_service_app
from todo_common.auth import PathOwner
from todo_common.problems import Conflict
from todo_common.settings import ServiceSettings
from todo_testing.tokens import TEST_JWT_SECRET, auth_header

router = APIRouter()


class Body(BaseModel):
    name: str


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("password=hunter2 in a stack trace")


@router.get("/conflict")
async def conflict() -> None:
    raise Conflict("Already taken.")


@router.post("/api/{user_id}/echo")
async def echo(body: Body, owner: PathOwner) -> dict[str, str]:
    return {"user": owner.user_id, "name": body.name}


@router.delete("/api/{user_id}/echo")
async def forget(owner: PathOwner) -> None:
    return None


@asynccontextmanager
async def lifespan(app):
    yield


@pytest.fixture
async def client():
    settings = ServiceSettings(auth_jwt_secret=TEST_JWT_SECRET, app_env="test")
    app = create_service_app(
        title="t", description="d", settings=settings, lifespan=lifespan, routers=[router]
    )
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://svc.test") as client:
        yield client


async def test_unexpected_errors_are_a_bare_500_problem(client):
    response = await client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Internal Server Error"
    assert body["request_id"] == response.headers["x-request-id"]
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text


async def test_typed_errors_keep_their_status_and_detail(client):
    response = await client.get("/conflict")
    assert (response.status_code, response.json()["detail"]) == (409, "Already taken.")


async def test_unknown_routes_and_methods_are_problems(client):
    missing = await client.get("/nowhere")
    wrong_method = await client.delete("/healthz")
    assert (missing.status_code, wrong_method.status_code) == (404, 405)
    assert (
        missing.headers["content-type"]
        == wrong_method.headers["content-type"]
        == "application/problem+json"
    )


async def test_a_405_allows_every_method_of_the_path_not_only_the_first_routes(client):
    response = await client.put("/api/alice/echo")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, POST"


async def test_validation_errors_name_the_field(client):
    response = await client.post("/api/alice/echo", json={"nom": "x"}, headers=auth_header("alice"))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"location": "body", "field": "name", "message": "Field required"}
    ]
    malformed = await client.post(
        "/api/alice/echo",
        content=b"{not json",
        headers={**auth_header("alice"), "content-type": "application/json"},
    )
    assert malformed.status_code == 422


@pytest.mark.parametrize(
    "body",
    [b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", b'{"name": "\xff\xfe"}'],
    ids=["nested-too-deep", "not-utf-8"],
)
async def test_a_body_the_parser_cannot_read_is_a_422_naming_the_body(client, body):
    response = await client.post(
        "/api/alice/echo",
        content=body,
        headers={**auth_header("alice"), "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["body"]


async def test_request_id_is_echoed_when_sane_and_replaced_when_not(client):
    kept = await client.get("/healthz", headers={"X-Request-ID": "trace-abc.123"})
    replaced = await client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    generated = await client.get("/healthz")
    assert kept.headers["x-request-id"] == "trace-abc.123"
    assert replaced.headers["x-request-id"] != "bad id\nwith newline"
    assert len(generated.headers["x-request-id"]) == 32


async def test_health_and_metrics_need_no_token_and_count_requests_by_route(client):
    await client.post("/api/alice/echo", json={"name": "x"}, headers=auth_header("alice"))
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ready"}
    metrics = (await client.get("/metrics")).text
    assert 'http_requests_total{method="POST",route="/api/{user_id}/echo",status="200"}' in metrics


@router.post("/api/{user_id}/raw")
async def raw(request: Request, owner: PathOwner) -> dict[str, int]:
    return {"bytes": len(await request.body())}


class SwallowingApp:
    """An ASGI app that, like the MCP SDK, turns any error reading the body into its own 500."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await Request(scope, receive).body()
            response = PlainTextResponse("read")
        except Exception:
            response = PlainTextResponse("Error handling POST request", status_code=500)
        await response(scope, receive, send)


LIMIT = 1000


@pytest.fixture
async def limited_client():
    settings = ServiceSettings(
        auth_jwt_secret=TEST_JWT_SECRET, app_env="test", max_request_body_bytes=LIMIT
    )
    app = create_service_app(
        title="t", description="d", settings=settings, lifespan=lifespan, routers=[router]
    )
    app.router.routes.append(Route("/sdk", SwallowingApp(), methods=["POST"]))
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://svc.test") as client:
        yield client


async def chunks(total: int, size: int = 100) -> AsyncIterator[bytes]:
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)


def assert_413_problem(response: httpx2.Response) -> None:
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == f"The request body is larger than {LIMIT} bytes."


async def test_a_declared_body_over_the_limit_is_refused_before_the_route_runs(limited_client):
    # No token and no body at all: the declared length alone is refused.
    response = await limited_client.post(
        "/api/alice/raw", headers={"content-length": str(50 * 1024 * 1024)}
    )
    assert_413_problem(response)


async def test_a_content_length_that_is_no_number_is_not_a_500(limited_client):
    response = await limited_client.post(
        "/api/alice/raw",
        content=b"{}",
        headers={**auth_header("alice"), "content-length": "²".encode("latin-1")},
    )
    assert response.status_code < 500


@pytest.mark.parametrize("path", ["/api/alice/raw", "/sdk"])
async def test_a_streamed_body_is_cut_at_the_limit(limited_client, path):
    """Chunked, so no length is declared: counted as it arrives, and a 413 even where the app
    itself turned the cut body into a 500."""
    over = await limited_client.post(path, content=chunks(LIMIT + 1), headers=auth_header("alice"))
    assert_413_problem(over)
    within = await limited_client.post(path, content=chunks(LIMIT), headers=auth_header("alice"))
    assert within.status_code == 200


def test_the_default_limit_holds_a_longest_chat_message_of_escaped_emoji():
    """10,000 characters (the documented message limit) of 4-byte emoji, JSON-escaped."""
    body = json.dumps({"message": "\U0001f600" * 10_000, "metadata": {"k": "v" * 60_000}})
    assert len(body.encode()) < ServiceSettings().max_request_body_bytes
