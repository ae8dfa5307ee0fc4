"""The fault-injection proxy itself: a held request reaches the target only when released, a
held response only after the target answered, and a dropped one is a cut connection."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.reliability.proxy import HttpProxy
from todo_testing.postgres import free_port


@pytest.fixture
async def proxy() -> AsyncIterator[tuple[HttpProxy, list[bytes]]]:
    """A proxy in front of a target that records every body it receives and echoes it."""
    received: list[bytes] = []

    async def echo(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.Response(body=received[-1], headers={"X-Seen": str(len(received))})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    forwarder = HttpProxy(f"http://127.0.0.1:{port}", "test-proxy").start()
    yield forwarder, received
    forwarder.stop()
    await runner.cleanup()


async def test_unmatched_requests_pass_through(proxy: tuple[HttpProxy, list[bytes]]) -> None:
    forwarder, received = proxy
    forwarder.hold("POST", "/never")
    async with (
        aiohttp.ClientSession() as http,
        http.put(f"{forwarder.url}/a?b=1", data=b"hello") as response,
    ):
        assert (response.status, await response.read()) == (200, b"hello")
        assert response.headers["X-Seen"] == "1"
    assert received == [b"hello"]
    assert forwarder.seen == [("PUT", "/a?b=1", b"hello")]
    assert forwarder.count("put", "^/a", "hel") == 1
    assert forwarder.count("PUT", "^/a", since=1) == forwarder.count("POST", "/") == 0


async def test_a_request_held_before_forwarding_reaches_nothing_until_released(
    proxy: tuple[HttpProxy, list[bytes]],
) -> None:
    forwarder, received = proxy
    hold = forwarder.hold("PUT|POST", "^/x", r'"role":\s*"tool"')
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{forwarder.url}/x", json={"role": "user"}) as response:
            assert response.status == 200  # the body does not match: not held
        request = asyncio.create_task(_post(http, f"{forwarder.url}/x", json={"role": "tool"}))
        await hold.wait(10)
        assert len(received) == 1
        hold.release()
        assert await request == (200, b'{"role": "tool"}')
    assert len(received) == 2


async def test_a_dropped_request_is_a_cut_connection_that_never_arrived(
    proxy: tuple[HttpProxy, list[bytes]],
) -> None:
    forwarder, received = proxy
    hold = forwarder.hold("POST", "/")
    async with aiohttp.ClientSession() as http:
        request = asyncio.create_task(_post(http, f"{forwarder.url}/y", data=b"lost"))
        await hold.wait(10)
        hold.drop()
        with pytest.raises(aiohttp.ClientError):
            await request
    assert received == []


async def test_a_response_held_after_the_target_answered_can_be_dropped(
    proxy: tuple[HttpProxy, list[bytes]],
) -> None:
    forwarder, received = proxy
    hold = forwarder.hold("POST", "/", "commit", phase="response")
    async with aiohttp.ClientSession() as http:
        request = asyncio.create_task(_post(http, f"{forwarder.url}/z", data=b"commit"))
        await hold.wait(10)
        assert received == [b"commit"]
        assert hold.response_status == 200
        hold.drop()
        with pytest.raises(aiohttp.ClientError):
            await request


async def _post(http: aiohttp.ClientSession, url: str, **kwargs: Any) -> tuple[int, bytes]:
    async with http.post(url, **kwargs) as response:
        return response.status, await response.read()
