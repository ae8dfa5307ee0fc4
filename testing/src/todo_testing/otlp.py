"""A stand-in OpenTelemetry collector on loopback: records what is POSTed to /v1/traces."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest


@dataclass(frozen=True)
class ExportedSpan:
    """One span as the collector received it."""

    service: str
    name: str
    trace_id: str
    parent_span_id: str
    attributes: dict[str, object]


class OtlpCollector:
    """Thread-safe record of the OTLP/HTTP (protobuf) trace exports received."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bodies: list[bytes] = []
        self.paths: list[str] = []
        self.endpoint = ""

    def record(self, path: str, body: bytes) -> None:
        """Keep one export request."""
        with self._lock:
            self.paths.append(path)
            self._bodies.append(body)

    def spans(self) -> list[ExportedSpan]:
        """Every span received so far."""
        with self._lock:
            bodies = list(self._bodies)
        found = []
        for body in bodies:
            request = ExportTraceServiceRequest.FromString(body)
            for resource_spans in request.resource_spans:
                resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        found.append(
                            ExportedSpan(
                                service=resource.get("service.name", ""),
                                name=span.name,
                                trace_id=span.trace_id.hex(),
                                parent_span_id=span.parent_span_id.hex(),
                                attributes={a.key: _value(a.value) for a in span.attributes},
                            )
                        )
        return found


def _value(value: object) -> object:
    kind = value.WhichOneof("value")  # type: ignore[attr-defined]  # an OTLP AnyValue message (protobuf)
    return getattr(value, kind) if kind else None


@contextmanager
def otlp_collector() -> Iterator[OtlpCollector]:
    """Run a collector on a free loopback port; `collector.endpoint` is its base URL."""
    collector = OtlpCollector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            collector.record(self.path, body)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    collector.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield collector
    finally:
        server.shutdown()
        server.server_close()
