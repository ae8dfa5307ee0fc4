"""One MCP tool call as raw HTTP, for the answers an SDK client would hide: statuses and headers."""

from typing import Any

import httpx2

MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def call_tool(
    url: str,
    token: str | None,
    name: str,
    arguments: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> httpx2.Response:
    """POST a JSON-RPC `tools/call` to the MCP endpoint `url` (stateless: no session needed)."""
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments or {}},
    }
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx2.post(
        url, json=body, headers={**MCP_HEADERS, **auth, **(headers or {})}, timeout=30
    )


def tool_result(response: httpx2.Response) -> dict[str, Any]:
    """The JSON-RPC result of a served call."""
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["result"]
    return result
