"""RFC 9457 problem details: the typed errors services raise, and the one handler that renders them."""

import logging
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Message, Receive, Scope, Send

from todo_common.asgi import HttpMiddleware
from todo_common.request_id import current_request_id

PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = 2
HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
logger = logging.getLogger("todo.errors")


class FieldError(BaseModel):
    """One invalid input: where it was, which field, and what is wrong with it."""

    location: str
    field: str
    message: str


def field_errors(
    errors: Sequence[Mapping[str, Any]], location: str | None = None
) -> list[FieldError]:
    """Pydantic's validation errors as field errors in `location`; without one, each error's `loc`
    starts with its location (FastAPI's request errors: body, query, path, header)."""
    found = []
    for error in errors:
        path = [str(part) for part in error.get("loc", ())]
        where = location or (path.pop(0) if path else "body")
        message = str(error["msg"]).removeprefix("Value error, ")
        found.append(FieldError(location=where, field=".".join(path) or where, message=message))
    return found


def describe(errors: Iterable[FieldError]) -> str:
    """Field errors as one line of `field: message` pairs (a problem's `detail`, a tool error)."""
    return "; ".join(f"{error.field}: {error.message}" for error in errors)


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
    extensions: dict[str, Any] | None = None
    """Extension members of the problem document (RFC 9457 §3.2), beside the standard ones."""

    def __init__(self, detail: str | None = None, *, errors: list[FieldError] | None = None):
        super().__init__(detail or HTTPStatus(self.status).phrase)
        self.detail = detail
        self.errors = errors


class Unauthorized(ProblemError):
    status = 401
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class Forbidden(ProblemError):
    status = 403


class NotFound(ProblemError):
    status = 404


class Conflict(ProblemError):
    status = 409


class PreconditionFailed(ProblemError):
    """A conditional request's precondition (If-Match) does not hold: re-read, then retry."""

    status = 412


class InvalidInput(ProblemError):
    status = 422


class InvalidField(InvalidInput):
    """One input is invalid: a 422 whose `errors` name it (`detail` defaults to `field: message`)."""

    def __init__(
        self, location: str, field: str, message: str, *, detail: str | None = None
    ) -> None:
        error = FieldError(location=location, field=field, message=message)
        super().__init__(detail or describe([error]), errors=[error])


class TooManyRequests(ProblemError):
    """A limit refuses the request for now: `Retry-After` and `retry_after` say how many seconds
    to wait, `reason` which limit it was."""

    status = 429

    def __init__(self, detail: str, *, retry_after: int, reason: str) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)
        self.reason = reason
        self.headers = {"Retry-After": str(self.retry_after)}
        self.extensions = {"reason": reason, "retry_after": self.retry_after}


class BadGateway(ProblemError):
    status = 502


class ServiceUnavailable(ProblemError):
    """Something this service needs is out of reach for now; the client may retry shortly."""

    status = 503
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}


class DatabaseUnavailable(ServiceUnavailable):
    """The database could not be reached, or dropped the connection mid-request (see db.py)."""

    def __init__(self, reason: str, *, outcome_unknown: bool = False) -> None:
        super().__init__("The database is unavailable right now; retry shortly.")
        self.reason = reason
        """What failed, for the log: the driver's error, never a DSN or a statement."""
        self.outcome_unknown = outcome_unknown
        """True when the failure hit a COMMIT (or a write committing by itself): it may be stored."""


def database_unavailable(exc: BaseException) -> DatabaseUnavailable | None:
    """The database outage `exc` is, or was raised from; None for any other error."""
    link: BaseException | None = exc
    while link is not None:
        if isinstance(link, DatabaseUnavailable):
            return link
        if isinstance(link, PoolTimeoutError):
            return DatabaseUnavailable("no pooled connection became free in time")
        link = link.__cause__
    return None


def problem_response(
    request: Request,
    status: int,
    detail: str | None = None,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
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
        {**(extensions or {}), **problem.model_dump(exclude_none=True)},
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


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        request,
        exc.status,
        exc.detail,
        errors=exc.errors,
        headers=exc.headers,
        extensions=exc.extensions,
    )


async def _on_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    outage = database_unavailable(exc)
    assert outage is not None
    logger.warning(
        "database unavailable on %s %s: %s", request.method, request.url.path, outage.reason
    )
    return problem_response(request, outage.status, outage.detail, headers=outage.headers)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc.errors())
    return problem_response(request, 422, describe(errors), errors=errors)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of this app accepts for the request's path (asked of each route,
    since included routers do not list their routes' methods)."""
    routes = request.app.router.routes
    return [
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


# What FastAPI raises as a 400 when its JSON parser fails other than by a syntax error: a body
# that is not UTF-8, or nested deeper than the parser recurses.
UNPARSEABLE_BODY = "There was an error parsing the body"
UNPARSEABLE_BODY_MESSAGE = "not JSON this service can read (not UTF-8, or nested too deeply)"


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == UNPARSEABLE_BODY:
        # Like any other body that is not valid JSON: a 422 naming the body.
        error = FieldError(location="body", field="body", message=UNPARSEABLE_BODY_MESSAGE)
        return problem_response(request, 422, describe([error]), errors=[error])
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and (methods := _allowed_methods(request)):
        # FastAPI makes a route per method, and Starlette's 405 names only the first one's.
        headers["Allow"] = ", ".join(methods)
    detail = exc.detail if isinstance(exc.detail, str) else None
    return problem_response(request, exc.status_code, detail, headers=headers)


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
    app.add_exception_handler(DatabaseUnavailable, _on_database_unavailable)
    app.add_exception_handler(PoolTimeoutError, _on_database_unavailable)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
