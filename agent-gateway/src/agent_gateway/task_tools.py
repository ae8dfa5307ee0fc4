"""The task tools the agent gets: mcp-server's MCP tools over a small pool of shared connections,
each HTTP request sent with the token of the turn that makes it.

A new MCP connection per turn costs a handshake. Instead a few long-lived connections are shared,
and an `httpx2.Auth` stamps every request with the token of the turn that sends it: mcp 2.x sends
each message in its sender's contextvars, so the token set for a turn travels with that turn's
requests and no other. The tools list is the same for everyone, so it is listed once per connection.

Each MCP tool is given to the agent as a plain `FunctionTool` whose call goes to the turn running it
(`ToolCaller`): the turn derives the call's idempotency key, records the call in history before the
model sees its result, and tells a failed call from one whose outcome is unknown.
"""

import asyncio
import itertools
import json
import logging
from collections.abc import Generator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

import httpx2
from agents import AgentsException, FunctionTool, RunContextWrapper, Tool
from agents.mcp import MCPServer, MCPServerStreamableHttp
from agents.tool_context import ToolContext
from httpx_aiohttp.httpx2 import AiohttpTransport
from mcp.types import CallToolResult
from mcp.types import Tool as MCPTool

from todo_common.mcp_meta import IDEMPOTENCY_KEY, RETRYABLE
from todo_common.request_id import REQUEST_ID_HEADER, current_request_id
from todo_common.tracing import inject_trace_context

logger = logging.getLogger(__name__)
_turn_token: ContextVar[str | None] = ContextVar("mcp_turn_token", default=None)


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


class ToolsUnreachable(AgentsException):
    """mcp-server could not be asked, or its answer was lost: the call's outcome is unknown.

    An `AgentsException`, so the Agents SDK ends the run with it instead of showing it to the
    model; a retry of the turn repeats the call with the same idempotency key, which settles it.
    """


@dataclass(frozen=True)
class ToolResult:
    """What mcp-server answered: the text the model reads, and whether the call succeeded."""

    output: str
    ok: bool
    structured: dict[str, Any] | None = None


class ToolCaller(Protocol):
    """Who runs a tool call: the turn, passed to the run as its context."""

    async def call_tool(
        self, connection: "McpConnection", tool: MCPTool, arguments: str, call_id: str
    ) -> str:
        """Run `tool` with the model's `arguments` (JSON text); the text the model reads."""
        ...

    def needs_approval(self, tool_name: str, arguments: dict[str, Any]) -> bool:
        """Whether this call must wait for the user's decision before it runs."""
        ...


@dataclass(frozen=True)
class McpConnection:
    """A shared connection, its tools as mcp-server lists them and as the agent takes them."""

    server: MCPServer
    listed: list[MCPTool]
    tools: list[Tool]

    async def call(self, tool: MCPTool, arguments: dict[str, Any], key: str | None) -> ToolResult:
        """Call `tool`; a change is sent with its idempotency key. ToolsUnreachable when
        mcp-server did not answer, or answered that it could not reach its own database."""
        meta = {IDEMPOTENCY_KEY: key} if key else None
        try:
            result = await self.server.call_tool(tool.name, arguments, meta=meta)
        except (Exception, BaseExceptionGroup) as exc:
            logger.warning("the call of %s got no answer: %s", tool.name, type(exc).__name__)
            raise ToolsUnreachable(f"{tool.name}: mcp-server did not answer") from exc
        if result.is_error and (result.meta or {}).get(RETRYABLE):
            raise ToolsUnreachable(f"{tool.name}: mcp-server's task store is unavailable")
        return _tool_result(result)


def is_change(tool: MCPTool) -> bool:
    """Whether calling `tool` may change tasks (everything not marked read-only)."""
    return not (tool.annotations and tool.annotations.read_only_hint)


def _tool_result(result: CallToolResult) -> ToolResult:
    structured = result.structured_content
    if structured is not None and not result.is_error:
        return ToolResult(json.dumps(structured), ok=True, structured=dict(structured))
    text = "".join(block.text for block in result.content if block.type == "text")
    return ToolResult(text, ok=not result.is_error)


class McpConnectionPool:
    """A small pool of shared connections to mcp-server, each opened on first use."""

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
        )
        try:
            await server.connect()  # type: ignore[no-untyped-call]  # unannotated in the SDK
            listed = await server.list_tools()
        except (Exception, BaseExceptionGroup) as exc:
            logger.warning("mcp-server is unreachable at %s: %s", self.url, type(exc).__name__)
            await _close(server)
            return None
        return _connection(server, listed)


def _connection(server: MCPServer, listed: list[MCPTool]) -> McpConnection:
    tools: list[Tool] = []
    connection = McpConnection(server, listed, tools)
    for tool in listed:
        tools.append(_bound_tool(connection, tool))
    return connection


def _bound_tool(connection: McpConnection, tool: MCPTool) -> FunctionTool:
    """`tool` for the agent: the turn running the call (the run's context) carries it out."""

    # Annotated as ToolContext: the SDK passes the call's own context (with its id) only then.
    async def invoke(context: ToolContext[Any], arguments: str) -> str:
        caller: ToolCaller = context.context
        return await caller.call_tool(connection, tool, arguments, context.tool_call_id)

    async def needs_approval(
        context: RunContextWrapper[Any], arguments: dict[str, Any], _call_id: str
    ) -> bool:
        caller: ToolCaller = context.context
        return caller.needs_approval(tool.name, arguments)

    return FunctionTool(
        name=tool.name,
        description=tool.description or "",
        params_json_schema=tool.input_schema,
        on_invoke_tool=invoke,
        strict_json_schema=False,
        needs_approval=needs_approval,
    )


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
        await server.cleanup()  # type: ignore[no-untyped-call]  # unannotated in the SDK
    except (Exception, BaseExceptionGroup):
        logger.debug("ignored an error while closing an MCP connection", exc_info=True)
