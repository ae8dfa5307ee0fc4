"""mcp-server's task tools for the agent: shared connections, each HTTP request under the turn's token.

A new MCP connection per turn costs a handshake (~50 ms). Instead a few long-lived connections
are shared, and an `httpx2.Auth` stamps every request with the token of the turn that sends it:
mcp 2.x sends each message in its sender's contextvars, so the token set for a turn travels with
that turn's requests and no other. The tools list is the same for everyone, so it is cached.

The MCP client checks every structured result against the tool's output schema in pure Python
(a 50-task list costs a tenth of a turn's CPU); jsonschema-rs does the same check ~50x faster.
Its HTTP goes through aiohttp (httpx-aiohttp's transport under the client's httpx2): ~0.7 ms less
CPU per tool call than httpx2's own pure-Python HTTP/1.1.
"""

import asyncio
import itertools
import logging
from collections.abc import Generator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpx2
import jsonschema_rs
from agents import Tool
from agents.mcp import MCPServer, MCPServerStreamableHttp, MCPUtil
from agents.mcp.util import MCPToolCustomDataContext
from httpx_aiohttp.httpx2 import AiohttpTransport
from mcp import ClientSession
from mcp.types import CallToolResult
from mcp.types import Tool as MCPTool

from todo_common.request_id import REQUEST_ID_HEADER, current_request_id
from todo_common.tracing import inject_trace_context

logger = logging.getLogger(__name__)
_turn_token: ContextVar[str | None] = ContextVar("mcp_turn_token", default=None)
OK_MARKER = "mcp_ok"


class TurnAuth(httpx2.Auth):
    """Bearer token and request id of the turn whose context sends the request."""

    def auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
        """Stamp the headers; a request outside any turn goes without a token (and gets a 401)."""
        if token := _turn_token.get():
            request.headers["Authorization"] = f"Bearer {token}"
        if request_id := current_request_id():
            request.headers[REQUEST_ID_HEADER] = request_id
        inject_trace_context(request.headers)
        yield request


def use_token(token: str) -> None:
    """Make MCP requests sent from this context (and tasks it starts) carry `token`."""
    _turn_token.set(token)


def _tool_outcome(context: MCPToolCustomDataContext) -> Mapping[str, Any]:
    # Present only when mcp-server answered; a transport failure leaves custom_data empty.
    return {OK_MARKER: not context.is_error}


@dataclass(frozen=True)
class McpConnection:
    """A shared connection and its tools, converted for the agent once, not on every model call."""

    server: MCPServer
    tools: list[Tool]


class McpTools:
    """A small pool of shared connections to mcp-server, opened on first use."""

    def __init__(self, url: str, timeout: float, size: int) -> None:
        self.url = url
        self.timeout = timeout
        self._slots: list[McpConnection | None] = [None] * max(1, size)
        self._locks = [asyncio.Lock() for _ in self._slots]
        self._next = itertools.count()

    async def connection_for_turn(self, token: str) -> McpConnection | None:
        """A connection for this turn's tools, or None when mcp-server cannot be reached."""
        use_token(token)
        slot = next(self._next) % len(self._slots)
        if (connection := self._slots[slot]) is not None:
            return connection
        async with self._locks[slot]:
            if self._slots[slot] is None:
                self._slots[slot] = await self._connect()
        return self._slots[slot]

    async def discard(self, connection: McpConnection) -> None:
        """Drop a connection that failed; the next turn opens a fresh one."""
        for slot, current in enumerate(self._slots):
            if current is connection:
                self._slots[slot] = None
        await _close(connection.server)

    async def close(self) -> None:
        """Close every connection (application shutdown)."""
        connections = [connection for connection in self._slots if connection is not None]
        self._slots = [None] * len(self._slots)
        for connection in connections:
            await _close(connection.server)

    async def _connect(self) -> McpConnection | None:
        server = MCPServerStreamableHttp(
            params={
                "url": self.url,
                "timeout": self.timeout,
                "sse_read_timeout": self.timeout,
                "httpx_client_factory": _client_factory,
            },
            name="todo-tasks",
            cache_tools_list=True,
            client_session_timeout_seconds=self.timeout,
            use_structured_content=True,
            custom_data_extractor=_tool_outcome,
        )
        try:
            await server.connect()
            listed = await server.list_tools()
        except (Exception, BaseExceptionGroup) as exc:
            logger.warning("mcp-server is unreachable at %s: %s", self.url, type(exc).__name__)
            await _close(server)
            return None
        if server.session is not None:
            check_outputs_fast(server.session, listed)
        # The Agent's default (non-strict schemas); each tool stays bound to this connection.
        tools: list[Tool] = [MCPUtil.to_function_tool(tool, server, False) for tool in listed]
        return McpConnection(server, tools)


def check_outputs_fast(session: ClientSession, tools: list[MCPTool]) -> None:
    """Make `session` check results against these tools' output schemas with jsonschema-rs.

    A result it finds valid is done; any other goes through the SDK's own check, so a bad result
    fails exactly as before, with the SDK's error.
    """
    validators = {
        tool.name: jsonschema_rs.validator_for(tool.output_schema)
        for tool in tools
        if tool.output_schema is not None
    }
    sdk_check = session.validate_tool_result

    async def validate_tool_result(name: str, result: CallToolResult) -> None:
        validator = validators.get(name)
        content = result.structured_content
        if validator is None or content is None or not validator.is_valid(content):
            await sdk_check(name, result)

    session.validate_tool_result = validate_tool_result  # type: ignore[method-assign]


def _client_factory(
    headers: dict[str, str] | None = None, timeout: Any = None, auth: Any = None
) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(
        headers=headers,
        timeout=timeout,
        auth=TurnAuth(),
        follow_redirects=False,
        transport=AiohttpTransport(),
    )


async def _close(server: MCPServer) -> None:
    try:
        await server.cleanup()
    except (Exception, BaseExceptionGroup):
        logger.debug("ignored an error while closing an MCP connection", exc_info=True)
