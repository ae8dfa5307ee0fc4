"""Liveness and readiness endpoints; readiness asks the service's own dependency checks."""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from pydantic import BaseModel

from todo_common.problems import ServiceUnavailable

ReadinessCheck = Callable[[], Awaitable[None]]
health_router = APIRouter(tags=["operations"])


class Health(BaseModel):
    """The service's state."""

    status: str


@health_router.get("/healthz")
async def healthz() -> Health:
    """Alive: the process answers. No authentication."""
    return Health(status="ok")


@health_router.get("/readyz", responses={503: {"description": "A dependency is unreachable."}})
async def readyz(request: Request) -> Health:
    """Ready: every dependency this service needs answers."""
    checks: dict[str, ReadinessCheck] = getattr(request.app.state, "readiness_checks", {})
    for name, check in checks.items():
        try:
            await check()
        except Exception as exc:
            raise ServiceUnavailable(f"{name} is not reachable.") from exc
    return Health(status="ready")
