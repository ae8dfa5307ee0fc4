"""Run a service app under uvicorn on HOST/PORT: the body of each console script."""

import uvicorn

from todo_common.logs import configure_logging
from todo_common.settings import ServiceSettings


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
        # Longer than any client's idle expiry (httpx 5 s, Node's undici 4 s): the client always
        # retires an idle connection first. With uvicorn's 5 s default, a client could reuse a
        # connection at the instant the server closed it, and the request failed with a ReadError.
        timeout_keep_alive=75,
    )
