"""Fixtures of the fault-injection suite: a private, killable stack per test module."""

from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest

from tests.reliability.stack import Stack, running_stack
from todo_testing.postgres import CreateDatabase


def _name(request: pytest.FixtureRequest) -> str:
    return "rel-" + request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")


@pytest.fixture(scope="module")
def module_stack(
    create_database: CreateDatabase, request: pytest.FixtureRequest
) -> Iterator[Stack]:
    """The module's stack, the gateway behind controllable proxies."""
    with running_stack(create_database, _name(request)) as stack:
        yield stack


@pytest.fixture(scope="module")
def direct_stack(
    create_database: CreateDatabase, request: pytest.FixtureRequest
) -> Iterator[Stack]:
    """The module's stack without proxies (for load without faults), logging warnings only."""
    with running_stack(
        create_database, _name(request), proxied=False, log_level="WARNING"
    ) as stack:
        yield stack


@pytest.fixture
def stack(module_stack: Stack) -> Stack:
    """The module's stack with every process up and no request held (whatever the last test did)."""
    module_stack.ensure_running()
    return module_stack


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP session for the test's clients and checks."""
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(connector=connector) as session:
        yield session
