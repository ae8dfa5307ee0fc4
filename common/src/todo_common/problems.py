"""RFC 9457 problem details: the typed errors services raise, and the one handler that renders them."""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message, Receive, Scope, Send

from todo_common.asgi import HttpMiddleware
from todo_common.request_id import current_request_id

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("todo.errors")


class FieldError(BaseModel):
    """One invalid input: where it was, which field, and what is wrong with it."""

    location: str
    field: str
    message: str


class Problem(BaseModel):
    """The body of every error response."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """Base of every error a service raises on purpose; carries its HTTP status."""

    status: int = 500
    headers: dict[str, str] | None = None

    def __init__(self, detail: str | None = None, *, errors: list[FieldError] | None = None):
        super().__init__(detail or HTTPStatus(self.status).phrase)
        self.detail = detail
        self.errors = errors


class BadRequest(ProblemError):
    status = 400


class Unauthorized(ProblemError):
    status = 401
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class Forbidden(ProblemError):
    status = 403


class NotFound(ProblemError):
    status = 404


class Conflict(ProblemError):
    status = 409


class InvalidInput(ProblemError):
    status = 422


class BadGateway(ProblemError):
    status = 502


class ServiceUnavailable(ProblemError):
    status = 503


def problem_response(
    request: Request,
    status: int,
    detail: str | None = None,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Render a problem document for this request."""
    problem = Problem(
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path,
        request_id=current_request_id(),
        errors=errors,
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the problems a route can return."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": Problem.model_json_schema()}},
        }
        for status in statuses
    }


def _field_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for error in exc.errors():
        location, *path = [str(part) for part in error.get("loc", ())] or ["body"]
        errors.append(
            FieldError(
                location=location,
                field=".".join(path) or location,
                message=error["msg"].removeprefix("Value error, "),
            )
        )
    return errors


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(request, exc.status, exc.detail, errors=exc.errors, headers=exc.headers)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return problem_response(request, 422, detail, errors=errors)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    return problem_response(request, exc.status_code, detail, headers=exc.headers)


class UnexpectedErrorMiddleware(HttpMiddleware):
    """The last line: an exception escaping a route becomes a 500 problem, logged with the request id.

    Starlette's own catch-all runs outside every middleware, where the request id is already gone;
    this one sits just inside RequestIdMiddleware.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request."""
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if started:  # a streaming response is under way: nothing sensible left to send
                raise
            response = problem_response(Request(scope), 500, "An unexpected error occurred.")
            await response(scope, receive, send)


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error a route raises a problem+json response (see also UnexpectedErrorMiddleware)."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
