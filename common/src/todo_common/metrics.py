"""Prometheus metrics and the access log: one pure-ASGI middleware times every request."""

import logging
import time

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import Message, Receive, Scope, Send

from todo_common.asgi import HttpMiddleware

REQUESTS = Counter("http_requests_total", "HTTP requests served.", ["method", "route", "status"])
ERRORS = Counter(
    "http_request_errors_total", "HTTP requests answered with 5xx.", ["method", "route"]
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to the end of the response.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
access_log = logging.getLogger("todo.access")
_UNMATCHED = "<unmatched>"


class MetricsMiddleware(HttpMiddleware):
    """Counts, times and logs each request under its route template, not its raw path."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request."""
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", _UNMATCHED)
            method = scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(elapsed)
            if status >= 500:
                ERRORS.labels(method, route).inc()
            if route not in ("/healthz", "/readyz", "/metrics"):
                access_log.info(
                    "%s %s %s %.1fms",
                    method,
                    scope["path"],
                    status,
                    elapsed * 1000,
                    extra={
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )


metrics_router = APIRouter(tags=["operations"])


@metrics_router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    """Prometheus exposition of this process's metrics."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
