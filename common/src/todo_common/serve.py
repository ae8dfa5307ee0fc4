"""Run a service app under uvicorn on HOST/PORT: the body of each console script."""

import asyncio

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from todo_common.logs import configure_logging
from todo_common.settings import ServiceSettings


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request headers are not complete
    within `header_timeout` seconds of its opening (or of a request's first byte).

    uvicorn has no such timeout, so a client sending half a request line held a connection (and a
    slot) for as long as it liked. Idle keep-alive connections between requests are left to
    uvicorn's `timeout_keep_alive`.
    """

    header_timeout: float = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._disarm_header_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def header_timeout_protocol(seconds: float) -> type[HeaderTimeoutProtocol]:
    """The protocol class for uvicorn's `http=` option, with this header timeout."""

    class Configured(HeaderTimeoutProtocol):
        header_timeout = seconds

    return Configured


def serve(app_factory: str, settings: ServiceSettings, service: str) -> None:
    """Serve `module:factory` with our logging, no uvicorn access log, and proxy headers trusted."""
    configure_logging(settings.log_level, settings.log_format, service)
    uvicorn.run(
        app_factory,
        factory=True,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
        http=header_timeout_protocol(settings.header_timeout_seconds),
        # Longer than any client's idle expiry (httpx 5 s, Node's undici 4 s): the client always
        # retires an idle connection first. With uvicorn's 5 s default, a client could reuse a
        # connection at the instant the server closed it, and the request failed with a ReadError.
        # The header timeout starts only with a request's first byte, so it does not cut this short.
        timeout_keep_alive=75,
    )
