"""Request size limits and the header timeout, tried against the real service processes.

Every Python service refuses a body over MAX_REQUEST_BODY_BYTES (default 1 MiB) with a 413
problem, before the body is read when its length is declared; /chatkit checks the token before it
reads the body; a connection that does not finish its headers in HEADER_TIMEOUT_SECONDS is closed.
"""

import contextlib
import http.client
import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.conftest import start_service
from todo_testing.postgres import CreateDatabase
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import auth_header

DEFAULT_LIMIT = 1024 * 1024
HUGE = 50 * 1024 * 1024


@pytest.fixture(scope="module")
def services(
    history_server: ServiceProcess, mcp_server: ServiceProcess, gateway_server: ServiceProcess
) -> dict[str, ServiceProcess]:
    return {"history": history_server, "mcp": mcp_server, "gateway": gateway_server}


# (service, path) for a JSON endpoint of each face, /mcp and /chatkit included.
FACES = [
    ("history", "/api/alice/conversations"),
    ("mcp", "/mcp"),
    ("mcp", "/api/alice/tasks"),
    ("gateway", "/api/alice/chat"),
    ("gateway", "/chatkit"),
]


def connect(server: ServiceProcess) -> http.client.HTTPConnection:
    address = urlsplit(server.url)
    return http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)


def declare_only(
    server: ServiceProcess, path: str, length: int, headers: dict[str, str]
) -> http.client.HTTPResponse:
    """POST with a declared Content-Length whose body is never sent, then wait for the answer."""
    connection = connect(server)
    connection.putrequest("POST", path)
    for name, value in {
        **headers,
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "Content-Length": str(length),
    }.items():
        connection.putheader(name, value)
    connection.endheaders()
    return connection.getresponse()


def send_chunked(
    server: ServiceProcess, path: str, total: int, headers: dict[str, str]
) -> http.client.HTTPResponse:
    """POST `total` bytes as a chunked body (no length declared), then read the answer."""
    connection = connect(server)

    def body() -> Iterator[bytes]:
        yield b"["
        sent = 1
        while sent < total - 1:
            chunk = b"0," * min(32 * 1024, (total - 1 - sent) // 2)
            if not chunk:
                break
            sent += len(chunk)
            yield chunk
        yield b"0]"

    # The server may answer at the limit and close while the last bytes are on their way.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        connection.request(
            "POST",
            path,
            body=body(),
            headers={
                **headers,
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
            },
            encode_chunked=True,
        )
    return connection.getresponse()


def assert_413_problem(response: http.client.HTTPResponse) -> None:
    assert response.status == 413
    assert response.getheader("Content-Type") == "application/problem+json"
    problem = json.loads(response.read())
    assert problem["status"] == 413
    assert str(DEFAULT_LIMIT) in problem["detail"]


@pytest.mark.parametrize(("service", "path"), FACES)
def test_a_declared_oversized_body_is_refused_without_being_sent(services, service, path):
    """50 MB declared, not one byte sent: the 413 arrives anyway (nothing waited for the body)."""
    assert_413_problem(declare_only(services[service], path, HUGE, auth_header("alice")))


@pytest.mark.parametrize(("service", "path"), FACES)
def test_a_chunked_oversized_body_is_cut_at_the_limit(services, service, path):
    """No length declared: the bytes are counted as they arrive; even the MCP transport, which
    would make a 500 of the cut body, answers 413."""
    assert_413_problem(
        send_chunked(services[service], path, DEFAULT_LIMIT + 2, auth_header("alice"))
    )


def test_chatkit_checks_the_token_before_reading_the_body(services):
    """A body within the limit declared but never sent: without a token the 401 comes at once."""
    response = declare_only(services["gateway"], "/chatkit", DEFAULT_LIMIT // 2, {})
    assert response.status == 401
    assert response.getheader("Content-Type") == "application/problem+json"


def test_chatkit_refuses_a_huge_body_without_a_token(services):
    response = declare_only(services["gateway"], "/chatkit", HUGE, {})
    assert response.status in (401, 413)


@pytest.fixture(scope="module")
def quick_timeout_server(create_database: CreateDatabase) -> Iterator[ServiceProcess]:
    """history-service with a one-second header timeout."""
    server = start_service(
        "history_service.main",
        "history-service-header-timeout",
        {"DATABASE_URL": create_database(), "HEADER_TIMEOUT_SECONDS": "1"},
    )
    yield server
    server.stop()


def raw_socket(server: ServiceProcess) -> socket.socket:
    address = urlsplit(server.url)
    return socket.create_connection((address.hostname, address.port), timeout=30)


def test_a_connection_sending_its_headers_too_slowly_is_closed(quick_timeout_server):
    with raw_socket(quick_timeout_server) as client:
        client.sendall(b"GET /healthz HT")  # half a request line, then nothing
        # Closed by the server; a connection held open would hit the socket's timeout instead.
        assert client.recv(1024) == b""


def test_a_silent_connection_is_closed(quick_timeout_server):
    with raw_socket(quick_timeout_server) as client:
        assert client.recv(1024) == b""


def test_an_idle_keep_alive_connection_outlives_the_header_timeout(quick_timeout_server):
    """Between requests the keep-alive timeout (75 s) applies, not the header timeout."""
    connection = connect(quick_timeout_server)
    connection.request("GET", "/healthz")
    assert connection.getresponse().read() == b'{"status":"ok"}'
    first_socket = connection.sock
    time.sleep(2.5)  # idle for longer than the header timeout
    connection.request("GET", "/healthz")
    assert connection.getresponse().status == 200
    assert connection.sock is first_socket  # the same connection, not a silent reconnect
    connection.close()


def test_the_longest_chat_message_of_escaped_emoji_fits_the_default_limit(services):
    """10,000 characters (the documented limit) of 4-byte emoji, JSON-escaped: about 120 kB."""
    body = json.dumps({"message": "\U0001f600" * 10_000}).encode()
    connection = connect(services["gateway"])
    connection.request(
        "POST",
        "/api/alice/chat",
        body=body,
        headers={**auth_header("alice"), "Content-Type": "application/json"},
    )
    assert connection.getresponse().status != 413
