"""Two MCP clients written by others that sign a user in by themselves, behind one small interface:
the official TypeScript SDK (oauth_client.mjs, a Node process) and the official Python SDK (its
`OAuthClientProvider`, on its own event loop in a thread of this process). Each is given only the
MCP URL; the test plays the user in Chromium with the authorization URL the client hands out."""

import asyncio
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import Future
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qs, urlparse

import httpx2
import pytest
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)

HERE = Path(__file__).resolve().parent
NODE_CLIENT = HERE / "oauth_client.mjs"
ARTIFACTS = HERE.parents[1] / "test-artifacts"
# Generous deadlines, not expectations: a person (Playwright) sits in the middle of the flow.
DEADLINE_SECONDS = 90.0
T = TypeVar("T")


class OAuthMcpClient(Protocol):
    """What a test does with either client."""

    name: str

    def authorization_url(self) -> str:
        """The URL the client sends the user to (blocks until it has one)."""
        ...

    def connected_tools(self) -> list[str]:
        """Once the user approved: the tools the client listed with its new token."""
        ...

    def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """`{"isError", "structured", "text"}`, or `{"error": {...}}` when the call did not happen."""
        ...

    def refresh(self) -> dict[str, Any]:
        """Refresh the access token: `{"refreshed": True}`, or `{"refreshed": False, ...}` with
        the URL the client then sends the user to (`reauthorization_url`)."""
        ...

    def revoke(self) -> int:
        """RFC 7009 revocation of the refresh token by the client; the endpoint's status."""
        ...

    @property
    def access_token(self) -> str:
        """The access token the client holds now."""
        ...

    @property
    def registration(self) -> dict[str, Any]:
        """What dynamic client registration returned."""
        ...

    @property
    def metadata(self) -> dict[str, Any]:
        """What discovery found: `{"resource": PRM, "authorization_server": AS metadata}`."""
        ...

    def close(self) -> None:
        """Stop the client."""
        ...


def _waited(events: "queue.Queue[T]", what: str) -> T:
    try:
        return events.get(timeout=DEADLINE_SECONDS)
    except queue.Empty:
        raise AssertionError(f"no {what} within {DEADLINE_SECONDS} s") from None


def _callback_port(registration: dict[str, Any] | None) -> int:
    """A reused registration names its loopback redirect URI, port included: listen there."""
    if not registration:
        return 0
    return urlparse(registration["redirect_uris"][0]).port or 0


def _reused(registration: dict[str, Any]) -> dict[str, str]:
    return {
        "CLIENT_INFORMATION": json.dumps(registration),
        "CALLBACK_PORT": str(_callback_port(registration)),
    }


class NodeOAuthClient:
    """oauth_client.mjs: events read from its stdout, commands written to its stdin."""

    name = "TypeScript SDK"

    def __init__(
        self, mcp_url: str, client_name: str, registration: dict[str, Any] | None = None
    ) -> None:
        if shutil.which("node") is None or not (HERE / "node_modules").is_dir():
            pytest.fail(
                "node and tests/interop/node_modules are required: scripts/bootstrap.sh interop"
            )
        ARTIFACTS.mkdir(exist_ok=True)
        self._stderr = (ARTIFACTS / "interop-oauth-node.log").open("a")
        self.process = subprocess.Popen(
            ["node", str(NODE_CLIENT)],
            env={
                **os.environ,
                "MCP_URL": mcp_url,
                "CLIENT_NAME": client_name,
                **(_reused(registration) if registration else {}),
            },
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._latest: dict[str, dict[str, Any]] = {}
        if registration:
            self._latest["registered"] = {"client": registration}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._events.put(json.loads(line))
        self._events.put({"event": "exited", "status": self.process.wait()})

    def _next(self, *names: str) -> dict[str, Any]:
        """The next event among `names`; the ones in between are remembered by kind."""
        while True:
            event = _waited(self._events, " or ".join(names))
            self._latest[event["event"]] = event
            if event["event"] in names:
                return event
            if event["event"] in {"failed", "exited"}:
                raise AssertionError(f"the Node client stopped: {event}")

    def _send(self, op: str, **fields: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        self.process.stdin.flush()

    def authorization_url(self) -> str:
        return str(self._next("authorize")["url"])

    def connected_tools(self) -> list[str]:
        return list(self._next("connected")["tools"])

    def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        self._send("call", name=tool, arguments=arguments)
        event = self._next("result")
        return {key: value for key, value in event.items() if key != "event"}

    def refresh(self) -> dict[str, Any]:
        self._send("refresh")
        event = self._next("refreshed", "refresh_refused")
        if event["event"] == "refreshed":
            return {"refreshed": True}
        again = self._next("authorize")["url"]
        return {"refreshed": False, "error": event["error"], "reauthorization_url": again}

    def revoke(self) -> int:
        self._send("revoke")
        return int(self._next("revoked")["status"])

    @property
    def access_token(self) -> str:
        return str(self._latest["tokens"]["access_token"])

    @property
    def registration(self) -> dict[str, Any]:
        return dict(self._latest["registered"]["client"])

    @property
    def metadata(self) -> dict[str, Any]:
        discovered = self._latest["discovered"]
        return {
            "resource": discovered["resource_metadata"],
            "authorization_server": discovered["authorization_server_metadata"],
        }

    def close(self) -> None:
        if self.process.poll() is None:
            self._send("quit")
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=DEADLINE_SECONDS)  # it reads stdout to the end first
        for pipe in (self.process.stdin, self.process.stdout, self._stderr):
            if pipe is not None:
                pipe.close()


class _MemoryStorage:
    """The SDK's `TokenStorage`, in memory."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


class _LoopbackCallback:
    """The redirect target (RFC 8252 loopback): each `/callback?code=…` goes into `answers`."""

    def __init__(self, port: int = 0) -> None:
        self.answers: queue.Queue[AuthorizationCodeResult | None] = queue.Queue()
        answers = self.answers

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = {
                    key: values[0] for key, values in parse_qs(urlparse(self.path).query).items()
                }
                fine = urlparse(self.path).path == "/callback" and "code" in query
                self.send_response(200 if fine else 400)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.end_headers()
                self.wfile.write(b"Signed in: you can close this tab." if fine else b"No code.")
                if fine:
                    answers.put(AuthorizationCodeResult.model_validate(query))

            def log_message(self, format: str, *args: object) -> None:
                pass  # the test's output stays readable

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class PythonOAuthClient:
    """The official Python SDK's OAuth client on its own event loop (a thread), so that the sync
    Playwright driving the browser in the test's thread and the SDK's awaits never share one."""

    name = "Python SDK"

    def __init__(
        self, mcp_url: str, client_name: str, registration: dict[str, Any] | None = None
    ) -> None:
        self.mcp_url = mcp_url
        self.storage = _MemoryStorage()
        if registration:  # another user's run of the same client reuses its registration
            self.storage.client_info = OAuthClientInformationFull.model_validate(registration)
        self.callback = _LoopbackCallback(_callback_port(registration))
        self._urls: queue.Queue[str] = queue.Queue()
        self.provider = OAuthClientProvider(
            server_url=mcp_url,
            client_metadata=OAuthClientMetadata.model_validate(
                {
                    "client_name": client_name,
                    "redirect_uris": [self.callback.url],
                    "grant_types": ["authorization_code", "refresh_token"],
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "none",
                }
            ),
            storage=self.storage,
            redirect_handler=self._redirect,
            callback_handler=self._code,
        )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._connecting = self._submit(self._with_client(_tool_names))

    async def _redirect(self, url: str) -> None:
        self._urls.put(url)

    async def _code(self) -> AuthorizationCodeResult:
        answer = await asyncio.to_thread(_waited, self.callback.answers, "authorization code")
        if answer is None:
            raise RuntimeError("the test stopped waiting for the user")
        return answer

    def _submit(self, coroutine: Coroutine[Any, Any, T]) -> "Future[T]":
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    async def _with_client(self, action: Callable[[Client], Awaitable[T]]) -> T:
        async with (
            httpx2.AsyncClient(auth=self.provider, timeout=30) as http,
            Client(streamable_http_client(self.mcp_url, http_client=http)) as client,
        ):
            return await action(client)

    def authorization_url(self) -> str:
        return _waited(self._urls, "authorization URL")

    def connected_tools(self) -> list[str]:
        return self._connecting.result(timeout=DEADLINE_SECONDS)

    def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return self._call(tool, arguments).result(timeout=DEADLINE_SECONDS)

    def _call(self, tool: str, arguments: dict[str, Any]) -> "Future[dict[str, Any]]":
        async def call(client: Client) -> dict[str, Any]:
            result = await client.call_tool(tool, arguments)
            text = result.content[0].text if result.content else None  # type: ignore[union-attr]  # our tools answer with text
            return {
                "isError": result.is_error,
                "structured": result.structured_content,
                "text": text,
            }

        async def guarded() -> dict[str, Any]:
            try:
                return await self._with_client(call)
            except Exception as error:  # what the SDK raised is the answer the test looks at
                return {"error": {"name": type(error).__name__, "message": str(error)}}

        return self._submit(guarded())

    def refresh(self) -> dict[str, Any]:
        """The SDK refreshes an expired token before the next request: mark it expired, as the
        clock would after its lifetime, and make a call. A refused refresh makes the SDK ask for
        the user again (a new authorization URL), which is stopped here."""
        before = self.access_token
        self.provider.context.token_expiry_time = time.time() - 1
        answer = self._call("list_tasks", {})
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            try:
                url = self._urls.get(timeout=0.2)
            except queue.Empty:
                if answer.done():
                    refreshed = self.access_token != before and "error" not in answer.result()
                    return {"refreshed": refreshed, "error": answer.result().get("error")}
                continue
            self.callback.answers.put(None)
            answer.result(timeout=DEADLINE_SECONDS)
            return {"refreshed": False, "error": None, "reauthorization_url": url}
        raise AssertionError(f"no refresh outcome within {DEADLINE_SECONDS} s")

    def revoke(self) -> int:
        metadata = self.provider.context.oauth_metadata
        assert metadata is not None
        assert metadata.revocation_endpoint is not None
        assert self.storage.tokens is not None
        assert self.storage.client_info is not None
        response = httpx2.post(
            str(metadata.revocation_endpoint),
            data={
                "token": self.storage.tokens.refresh_token or "",
                "token_type_hint": "refresh_token",
                "client_id": self.storage.client_info.client_id or "",
            },
            timeout=30,
        )
        return response.status_code

    @property
    def access_token(self) -> str:
        assert self.storage.tokens is not None
        return self.storage.tokens.access_token

    @property
    def registration(self) -> dict[str, Any]:
        assert self.storage.client_info is not None
        return self.storage.client_info.model_dump(mode="json", exclude_none=True)

    @property
    def metadata(self) -> dict[str, Any]:
        context = self.provider.context
        assert context.protected_resource_metadata
        assert context.oauth_metadata
        return {
            "resource": context.protected_resource_metadata.model_dump(mode="json"),
            "authorization_server": context.oauth_metadata.model_dump(mode="json"),
        }

    def close(self) -> None:
        self.callback.answers.put(None)  # a flow still waiting for the user gives up
        self.callback.close()
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=DEADLINE_SECONDS)
        self._loop.close()


async def _tool_names(client: Client) -> list[str]:
    return [tool.name for tool in (await client.list_tools()).tools]


CLIENTS: dict[str, Callable[..., OAuthMcpClient]] = {
    "typescript": NodeOAuthClient,
    "python": PythonOAuthClient,
}
