"""LOG_FORMAT=json: every line is one JSON object carrying the request id."""

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx2
import pytest
from fastapi import APIRouter, FastAPI

from todo_common.app import create_service_app
from todo_common.logs import configure_logging
from todo_common.settings import ServiceSettings

router = APIRouter()
logger = logging.getLogger("todo.test")


@router.get("/work")
async def work() -> dict[str, str]:
    """Log one line of our own while serving."""
    logger.info("working on it", extra={"items": 3})
    return {"status": "done"}


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """JSON logging into a buffer; the root logger is restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO", "json", "test-service")
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]  # the root handler is a StreamHandler here
    yield buffer
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_json_log_lines_carry_the_request_id(json_logs: io.StringIO) -> None:
    app = create_service_app(
        title="logs-test",
        description="",
        settings=ServiceSettings(),
        lifespan=_lifespan,
        routers=[router],
    )
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://app") as client:
        response = await client.get("/work", headers={"X-Request-ID": "req-json-1"})
    assert response.headers["X-Request-ID"] == "req-json-1"

    lines = [line for line in json_logs.getvalue().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line parses
    ours = next(e for e in entries if e["message"] == "working on it")
    assert ours["request_id"] == "req-json-1"
    assert ours["items"] == 3
    assert (ours["level"], ours["logger"]) == ("INFO", "todo.test")
    access = next(e for e in entries if e["logger"] == "todo.access")
    assert access["request_id"] == "req-json-1"
    assert (access["route"], access["status"]) == ("/work", 200)


def test_lines_outside_a_request_say_so(json_logs: io.StringIO) -> None:
    logging.getLogger("todo.test").warning("starting")
    (entry,) = [json.loads(line) for line in json_logs.getvalue().splitlines() if line]
    assert entry["request_id"] == "-"
    assert entry["level"] == "WARNING"
