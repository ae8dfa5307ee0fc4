"""A controllable HTTP proxy: forwards everything to one target, and can hold a chosen request.

It runs its own event loop in a thread, so a test can hold a request, SIGKILL a process, restart
it and only then let the held request go on (or drop it) — from sync or async code alike.
"""

import asyncio
import contextlib
import re
import threading
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import aiohttp
from aiohttp import web

from todo_testing.postgres import free_port

Phase = Literal["request", "response"]
Decision = Literal["release", "drop"]
# Headers that belong to one connection, never forwarded (RFC 9110 §7.6.1), plus the ones the
# proxy recomputes.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
HOLD_LIMIT_SECONDS = 120.0


class Seen(NamedTuple):
    """A request the proxy received."""

    method: str
    path: str
    body: bytes


@dataclass
class Hold:
    """The next request matching `method`, `path` and `body` (regexes), held at `phase`:
    `request` holds it before it is forwarded, `response` after the target answered, before the
    answer goes back. `release()` lets it go on, `drop()` cuts the client's connection."""

    method: re.Pattern[str]
    path: re.Pattern[str]
    body: re.Pattern[str] | None
    phase: Phase
    held: threading.Event = field(default_factory=threading.Event)
    request_body: bytes = b""
    response_status: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _decision: Decision | None = None
    _waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[Decision]] | None = None

    def matches(self, method: str, path: str, body: bytes) -> bool:
        """Whether this request is the one to hold."""
        if not (self.method.fullmatch(method) and self.path.search(path)):
            return False
        return self.body is None or bool(self.body.search(body.decode(errors="replace")))

    async def wait(self, seconds: float = 30.0) -> None:
        """Return once a matching request is held (raises TimeoutError after `seconds`)."""
        if not await asyncio.to_thread(self.held.wait, seconds):
            raise TimeoutError(f"no request matching {self.describe()} within {seconds}s")

    def release(self) -> None:
        """Let the held request go on."""
        self._decide("release")

    def drop(self) -> None:
        """Cut the held request's connection, as a dead process or network would."""
        self._decide("drop")

    def describe(self) -> str:
        """What this hold waits for, for error messages."""
        body = f" body~{self.body.pattern!r}" if self.body else ""
        return f"{self.method.pattern} {self.path.pattern}{body} ({self.phase})"

    def _decide(self, decision: Decision) -> None:
        with self._lock:
            if self._decision is not None:
                return
            self._decision = decision
            waiter = self._waiter
        if waiter is not None:
            loop, future = waiter
            loop.call_soon_threadsafe(_resolve, future, decision)

    async def _until_decided(self) -> Decision:
        """Mark the request held and wait for the test's decision (in the proxy's loop)."""
        future: asyncio.Future[Decision] = asyncio.get_running_loop().create_future()
        with self._lock:
            if self._decision is not None:
                future.set_result(self._decision)
            self._waiter = (asyncio.get_running_loop(), future)
        self.held.set()
        try:
            return await asyncio.wait_for(future, HOLD_LIMIT_SECONDS)
        except TimeoutError:
            return "drop"


def _hold(method: str, path: str, body: str | None, phase: Phase) -> Hold:
    return Hold(
        method=re.compile(method, re.IGNORECASE),
        path=re.compile(path),
        body=re.compile(body, re.DOTALL) if body else None,
        phase=phase,
    )


def _resolve(future: asyncio.Future[Decision], decision: Decision) -> None:
    if not future.done():
        future.set_result(decision)


class _Dropped(Exception):
    """The held request is dropped: its connection is cut."""


class HttpProxy:
    """Forwards every request to `target`; `hold(...)` picks one request to hold."""

    def __init__(self, target: str, name: str) -> None:
        self.target = target.rstrip("/")
        self.name = name
        self.port = free_port()
        self.seen: list[Seen] = []
        self._holds: list[Hold] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        """The proxy's base URL (point a client here instead of at the target)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "HttpProxy":
        """Serve on a free loopback port, in a thread of its own."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=30)
        return self

    def stop(self) -> None:
        """Drop whatever is held, stop serving and end the thread."""
        self.reset()
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)

    def hold(
        self, method: str, path: str, body: str | None = None, *, phase: Phase = "request"
    ) -> Hold:
        """Hold the next request whose method fully matches `method` and whose path (with query)
        and body contain a match of `path` and `body` (regexes)."""
        hold = _hold(method, path, body, phase)
        with self._lock:
            self._holds.append(hold)
        return hold

    def count(self, method: str, path: str, body: str | None = None, since: int = 0) -> int:
        """How many requests from `seen[since:]` match, as `hold` would match them."""
        pattern = _hold(method, path, body, "request")
        with self._lock:
            seen = self.seen[since:]
        return sum(pattern.matches(*request) for request in seen)

    def reset(self) -> None:
        """Forget pending holds and drop any request still held."""
        with self._lock:
            holds, self._holds = self._holds, []
        for hold in holds:
            hold.drop()

    def _take(self, method: str, path: str, body: bytes) -> Hold | None:
        with self._lock:
            self.seen.append(Seen(method, path, body))
            for hold in self._holds:
                if hold.matches(method, path, body):
                    self._holds.remove(hold)
                    return hold
        return None

    async def _serve(self) -> None:
        # No automatic decompression: bytes go through exactly as the target sent them.
        self._session = aiohttp.ClientSession(
            auto_decompress=False, timeout=aiohttp.ClientTimeout(total=None)
        )
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        hold = self._take(request.method, request.path_qs, body)
        try:
            if hold is not None:
                hold.request_body = body
                if hold.phase == "request" and await hold._until_decided() == "drop":
                    raise _Dropped
            return await self._forward(request, body, hold)
        except (_Dropped, aiohttp.ClientError, ConnectionError, TimeoutError):
            # The client sees its connection cut, as when the process behind it dies.
            _abort(request)
            raise web.HTTPBadGateway from None

    async def _forward(
        self, request: web.Request, body: bytes, hold: Hold | None
    ) -> web.StreamResponse:
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        async with self._session.request(
            request.method,
            f"{self.target}{request.path_qs}",
            headers=headers,
            data=body or None,
            allow_redirects=False,
        ) as upstream:
            answer_headers = {
                k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP
            }
            if hold is not None and hold.phase == "response":
                content = await upstream.read()
                hold.response_status = upstream.status
                if await hold._until_decided() == "drop":
                    raise _Dropped
                return web.Response(status=upstream.status, headers=answer_headers, body=content)
            response = web.StreamResponse(status=upstream.status, headers=answer_headers)
            await response.prepare(request)
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
            return response


def _abort(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        with contextlib.suppress(Exception):
            transport.abort()
