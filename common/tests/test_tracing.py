"""OpenTelemetry: a service app exports a span per request over OTLP/HTTP when, and only when, an endpoint is set."""

import os
import subprocess
import sys
import textwrap

import pytest

from todo_common.tracing import ENDPOINT_VARIABLES, tracing_enabled
from todo_testing.otlp import otlp_collector
from todo_testing.postgres import wait_for

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
# A service app built by create_service_app, one request through it, then the process exits.
SERVE_ONE_REQUEST = textwrap.dedent(
    f"""
    import asyncio
    import sys
    from contextlib import asynccontextmanager

    import httpx2
    from fastapi import APIRouter

    from todo_common.app import create_service_app
    from todo_common.settings import ServiceSettings
    from todo_common import tracing

    router = APIRouter()

    @router.get("/things/{{thing_id}}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {{"id": thing_id}}

    @asynccontextmanager
    async def lifespan(app):
        yield

    app = create_service_app(
        title="tracing-test", description="", settings=ServiceSettings(), lifespan=lifespan,
        routers=[router],
    )

    async def main() -> None:
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://app") as client:
            parent = {{"traceparent": "00-{TRACE_ID}-00f067aa0ba902b7-01"}}
            answer = await client.get("/things/42?q=zebra%20secret&limit=5", headers=parent)
            assert answer.status_code == 200
            assert (await client.get("/healthz")).status_code == 200

    asyncio.run(main())
    print("opentelemetry.sdk" in sys.modules, flush=True)
    tracing.shutdown_tracing()
    """
)


def serve_one_request(env: dict[str, str]) -> str:
    """Run SERVE_ONE_REQUEST in a fresh interpreter (the tracer provider is process-global)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    result = subprocess.run(
        [sys.executable, "-c", SERVE_ONE_REQUEST],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_request_is_exported_as_a_span_continuing_the_callers_trace() -> None:
    with otlp_collector() as collector:
        serve_one_request(
            {"OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "50"}
        )
        wait_for(lambda: collector.spans(), timeout=10, what="an exported span")
        spans = collector.spans()
    assert set(collector.paths) == {"/v1/traces"}
    (span,) = [s for s in spans if s.name == "GET /things/{thing_id}"]
    assert span.service == "tracing-test"
    assert span.trace_id == TRACE_ID
    assert span.parent_span_id == "00f067aa0ba902b7"
    assert span.attributes.get("http.route") == "/things/{thing_id}"
    assert not [s for s in spans if "healthz" in s.name], "probes are not traced"


def test_otel_service_name_overrides_the_title() -> None:
    with otlp_collector() as collector:
        serve_one_request(
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
                "OTEL_SERVICE_NAME": "history-service",
            }
        )
        wait_for(lambda: collector.spans(), timeout=10, what="an exported span")
        assert {span.service for span in collector.spans()} == {"history-service"}


def test_without_an_endpoint_nothing_is_set_up_or_sent() -> None:
    with otlp_collector() as collector:
        loaded_sdk = serve_one_request({})
    assert loaded_sdk == "False", "the OpenTelemetry SDK was imported with tracing off"
    assert collector.paths == []


@pytest.mark.parametrize(
    ("env", "enabled"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": ""}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, False),
    ],
)
def test_tracing_is_on_only_with_an_endpoint(env: dict[str, str], enabled: bool) -> None:
    assert set(ENDPOINT_VARIABLES) >= {k for k in env if k.endswith("ENDPOINT")}
    assert tracing_enabled(env) is enabled


@pytest.mark.parametrize("include", [False, True])
def test_query_values_reach_spans_only_with_trace_include_content(include: bool) -> None:
    """Search text travels in query strings (`q=`): left out of every span attribute unless
    TRACE_INCLUDE_CONTENT=true."""
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": "", "OTEL_BSP_SCHEDULE_DELAY": "50"}
    if include:
        env["TRACE_INCLUDE_CONTENT"] = "true"
    with otlp_collector() as collector:
        serve_one_request({**env, "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint})
        wait_for(lambda: collector.spans(), timeout=10, what="an exported span")
        (span,) = [s for s in collector.spans() if s.name == "GET /things/{thing_id}"]
    attributes = repr(span.attributes)
    assert ("zebra" in attributes) is include
    if not include:
        assert "q=REDACTED&limit=REDACTED" in attributes
