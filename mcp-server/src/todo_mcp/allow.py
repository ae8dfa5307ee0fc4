"""405 answers that list every method of the path: FastAPI routes are per method, and Starlette
reports only the first route's methods in `Allow`."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from todo_common.problems import problem_response


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of this app accepts for the request's path."""
    scope = {**request.scope, "method": ""}
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    detail = exc.detail if isinstance(exc.detail, str) else None
    return problem_response(request, exc.status_code, detail, headers=headers)


def install_allow_header(app: FastAPI) -> None:
    """Render HTTP errors as problems, with a complete `Allow` on 405."""
    app.add_exception_handler(HTTPException, _on_http_error)
