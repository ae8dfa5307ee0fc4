"""OpenTelemetry tracing, exported over OTLP/HTTP, on only when an OTLP endpoint is configured.

Off (no endpoint): nothing is imported, installed or exported. On: one tracer provider per
process, set as the global one so library spans (the MCP SDK traces its calls and carries the
trace context inside MCP messages) land in the same trace; every request to the app is a server
span named after its route, continuing the caller's `traceparent`. The standard `OTEL_*`
variables (service name, resource attributes, headers, sampler, batch delays) apply as usual.

Spans carry no user content: query strings hold search text (`q=`, `search=`), so their values
are replaced by `REDACTED` unless TRACE_INCLUDE_CONTENT=true.
"""

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from fastapi import FastAPI

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
# Probes and scrapes would drown the traces that matter.
EXCLUDED_URLS = "/healthz$,/readyz$,/metrics$"
# Span attributes of the HTTP semantic conventions (old and new) that include the query string.
QUERY_ATTRIBUTES = ("http.url", "url.full", "http.target", "url.query")
_provider: "TracerProvider | None" = None


def tracing_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """True when an OTLP endpoint is set and the SDK is not switched off."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return any(environ.get(name, "").strip() for name in ENDPOINT_VARIABLES)


def install_tracing(
    app: FastAPI, service_name: str, *, include_content: bool = False
) -> "TracerProvider | None":
    """Trace every request to `app` when tracing is enabled; return the provider, or None.
    Query values appear in spans only with `include_content` (TRACE_INCLUDE_CONTENT)."""
    if not tracing_enabled():
        return None
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    provider = tracer_provider(service_name)
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        excluded_urls=EXCLUDED_URLS,
        # Per-chunk send/receive spans would cost more than they tell (think SSE streams).
        exclude_spans=["receive", "send"],
        server_request_hook=None if include_content else redact_query,
    )
    return provider


def redact_query(span: "Span", scope: dict[str, Any]) -> None:
    """Replace every query value in the request span's URL attributes with `REDACTED`."""
    raw = scope.get("query_string") or b""
    if not raw or not span.is_recording():
        return
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    redacted = "&".join(f"{name}=REDACTED" for name, _value in pairs)
    attributes = getattr(span, "attributes", None) or {}
    for key in QUERY_ATTRIBUTES:
        value = attributes.get(key)
        if isinstance(value, str) and (key == "url.query" or "?" in value):
            kept = "" if key == "url.query" else value.split("?", 1)[0] + "?"
            span.set_attribute(key, kept + redacted)


def tracer_provider(service_name: str) -> "TracerProvider":
    """The process's provider: batches spans to the OTLP/HTTP exporter configured by env."""
    global _provider
    if _provider is None:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        # OTEL_SERVICE_NAME, when set, names the service instead.
        attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: service_name}
        _provider = TracerProvider(resource=Resource.create(attributes))
        _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(_provider)
    return _provider


def shutdown_tracing() -> None:
    """Flush and stop the exporter (tests; the SDK also does this at interpreter exit)."""
    global _provider
    if _provider is not None:
        _provider.shutdown()
        _provider = None


def inject_trace_context(headers: Any) -> None:
    """Add `traceparent` for the current span to outgoing `headers` (a no-op when tracing is off).

    For HTTP clients nothing instruments (httpx2): call it where the request's headers are built,
    or from an `httpx2` request event hook with `request.headers`.
    """
    if _provider is None:
        return
    from opentelemetry.propagate import inject

    inject(headers)
