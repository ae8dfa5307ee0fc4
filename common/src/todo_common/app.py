"""The FastAPI application every service starts from: middleware, problem handlers, health, metrics."""

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager

from fastapi import APIRouter, FastAPI

from todo_common.auth import TokenVerifier
from todo_common.body_limit import BodyLimitMiddleware
from todo_common.health import health_router
from todo_common.metrics import MetricsMiddleware, metrics_router
from todo_common.problems import UnexpectedErrorMiddleware, install_problem_handlers
from todo_common.request_id import RequestIdMiddleware
from todo_common.settings import ServiceSettings
from todo_common.tracing import install_tracing

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_service_app(
    *,
    title: str,
    description: str,
    settings: ServiceSettings,
    lifespan: Lifespan,
    routers: Sequence[APIRouter],
    version: str = "0.1.0",
) -> FastAPI:
    """A service app with the shared conventions in place: problem errors, request ids, logging,
    health, readiness, metrics (README, "Operations") and the request body limit."""
    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan)
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier(settings.auth_config())
    app.state.readiness_checks = {}
    install_problem_handlers(app)
    app.include_router(health_router)
    app.include_router(metrics_router)
    for router in routers:
        app.include_router(router)
    # Outermost last: the request id must exist before metrics log the request. The body limit
    # wraps every route, /mcp included, and its 413s are counted and carry the request id.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(RequestIdMiddleware)
    # Only when OTEL_EXPORTER_OTLP_ENDPOINT is set; OTEL_SERVICE_NAME overrides the title.
    install_tracing(app, title, include_content=settings.trace_include_content)
    return app
