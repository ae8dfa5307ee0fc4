"""The user's time zone: the header and tool-argument parser, and the FastAPI dependency."""

from zoneinfo import ZoneInfo

import httpx2
import pytest
from fastapi import FastAPI

from todo_common.problems import InvalidField, install_problem_handlers
from todo_common.time_zones import UserTimeZone, parse_time_zone


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Pacific/Auckland", "Pacific/Auckland"),
        ("america/los_angeles", "America/Los_Angeles"),
        (" Europe/Paris ", "Europe/Paris"),
        ("UTC", "UTC"),
        (None, "UTC"),
        ("", "UTC"),
    ],
)
def test_a_known_zone_or_nothing_parses(name: str | None, expected: str) -> None:
    assert parse_time_zone(name) == ZoneInfo(expected)


@pytest.mark.parametrize(
    "name",
    ["Mars/Olympus", "../../etc/passwd", "localtime", "Europe/Paris\x00", "+05:00", "x" * 300],
)
def test_anything_else_is_a_422_naming_the_header(name: str) -> None:
    with pytest.raises(InvalidField) as refused:
        parse_time_zone(name)
    assert refused.value.status == 422
    assert [(e.location, e.field) for e in refused.value.errors or []] == [
        ("header", "X-Time-Zone")
    ]


def test_a_tool_argument_is_named_as_such() -> None:
    with pytest.raises(InvalidField) as refused:
        parse_time_zone("Nowhere/Land", location="arguments", field="time_zone")
    assert str(refused.value).startswith("time_zone: ")


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/zone")
    async def zone(time_zone: UserTimeZone) -> str:
        return time_zone.key

    return app


async def _get(headers: dict[str, str]) -> httpx2.Response:
    transport = httpx2.ASGITransport(app=_app())
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/zone", headers=headers)


async def test_the_dependency_reads_the_header_and_defaults_to_utc() -> None:
    assert (await _get({"X-Time-Zone": "Pacific/Auckland"})).json() == "Pacific/Auckland"
    assert (await _get({})).json() == "UTC"


async def test_the_dependency_refuses_a_bad_zone_with_a_problem() -> None:
    response = await _get({"X-Time-Zone": "Not/AZone"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "X-Time-Zone"
    assert response.json()["errors"][0]["location"] == "header"
