"""The hostile-input suite's stack: the three services as real processes on PostgreSQL, verifying
RS256/EdDSA tokens from a local JWKS and HS256 tokens from the test secret, both bound to an issuer
and an audience; the attack tokens; raw-socket and memory helpers."""

import base64
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from tests.conftest import gateway_env, start_service
from todo_common.mcp_access import DEFAULT_MCP_RESOURCE_URL, FULL_SCOPE
from todo_testing.postgres import CreateDatabase
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import TEST_JWT_SECRET

ISSUER = "https://issuer.security.test"
AUDIENCE = "todo-assistant-security"
RSA_KID = "rsa-key-1"
ED_KID = "ed25519-key-1"
TIMEOUT = 30
HEADER_TIMEOUT_SECONDS = 2
# Generous turn limits for the shared stack, so only test_rate_limits meets a 429.
HIGH_LIMITS = {
    "CHAT_TURNS_PER_MINUTE": "100000",
    "CHAT_TURN_BURST": "10000",
    "CHAT_CONCURRENT_TURNS": "1000",
}


@dataclass
class Keys:
    """The identity provider's signing keys and the JWKS it publishes."""

    rsa_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    ed_key: ed25519.Ed25519PrivateKey = field(default_factory=ed25519.Ed25519PrivateKey.generate)

    def jwks(self) -> dict[str, Any]:
        rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa_key.public_key()))
        ed_jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self.ed_key.public_key()))
        return {
            "keys": [
                {**rsa_jwk, "kid": RSA_KID, "alg": "RS256", "use": "sig"},
                {**ed_jwk, "kid": ED_KID, "alg": "EdDSA", "use": "sig"},
            ]
        }

    @property
    def rsa_public_pem(self) -> bytes:
        return self.rsa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def claims(user_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid token's claims for `user_id`, like a first-party token's (for the app and the MCP
    resource, every task scope); an override of None leaves that claim out."""
    now = int(time.time())
    base = {
        "sub": user_id,
        "iss": ISSUER,
        "aud": [AUDIENCE, DEFAULT_MCP_RESOURCE_URL],
        "scope": FULL_SCOPE,
        "iat": now,
        "exp": now + 600,
    }
    return {k: v for k, v in {**base, **overrides}.items() if v is not None}


def rs256(keys: Keys, user_id: str, **overrides: Any) -> str:
    """A valid RS256 token from the identity provider."""
    return jwt.encode(claims(user_id, **overrides), keys.rsa_key, "RS256", headers={"kid": RSA_KID})


def hs256(user_id: str, **overrides: Any) -> str:
    """A valid HS256 token signed with the shared test secret."""
    return jwt.encode(claims(user_id, **overrides), TEST_JWT_SECRET, "HS256")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], body: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(body).encode())}"


def _hmac(key: bytes, header: dict[str, Any], body: dict[str, Any]) -> str:
    import hashlib
    import hmac

    signing_input = _unsigned(header, body)
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def attack_tokens(keys: Keys, user_id: str) -> dict[str, str]:
    """Every token a service must refuse with 401, each naming `user_id` as its subject."""
    good = rs256(keys, user_id)
    head, body, signature = good.split(".")
    forged_body = _b64(json.dumps(claims("someone-else")).encode())
    flipped = signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")
    other_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_jwk = json.dumps(keys.jwks()["keys"][0]).encode()
    return {
        "alg_none": _unsigned({"alg": "none", "typ": "JWT"}, claims(user_id)) + ".",
        "alg_none_with_kid": _unsigned({"alg": "none", "kid": RSA_KID}, claims(user_id)) + ".",
        "hs256_with_rsa_public_pem": _hmac(
            keys.rsa_public_pem, {"alg": "HS256", "typ": "JWT"}, claims(user_id)
        ),
        "hs256_with_rsa_public_pem_and_kid": _hmac(
            keys.rsa_public_pem, {"alg": "HS256", "kid": RSA_KID}, claims(user_id)
        ),
        "hs256_with_rsa_jwk": _hmac(rsa_jwk, {"alg": "HS256", "kid": RSA_KID}, claims(user_id)),
        "rs256_naming_ed25519_kid": jwt.encode(
            claims(user_id), keys.rsa_key, "RS256", headers={"kid": ED_KID}
        ),
        "eddsa_naming_rsa_kid": jwt.encode(
            claims(user_id), keys.ed_key, "EdDSA", headers={"kid": RSA_KID}
        ),
        "rs256_unknown_kid": jwt.encode(
            claims(user_id), keys.rsa_key, "RS256", headers={"kid": "no-such-key"}
        ),
        "rs256_other_key": jwt.encode(
            claims(user_id), other_rsa, "RS256", headers={"kid": RSA_KID}
        ),
        "expired": rs256(keys, user_id, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
        "expired_hs256": hs256(user_id, exp=int(time.time()) - 3600),
        "not_yet_valid": rs256(keys, user_id, nbf=int(time.time()) + 3600),
        "no_exp": rs256(keys, user_id, exp=None),
        "no_sub": rs256(keys, user_id, sub=None),
        "sub_not_a_string": rs256(keys, user_id, sub=12345),
        "wrong_issuer": rs256(keys, user_id, iss="https://evil.example"),
        "no_issuer": rs256(keys, user_id, iss=None),
        "wrong_audience": rs256(keys, user_id, aud="someone-else"),
        "no_audience": rs256(keys, user_id, aud=None),
        "wrong_issuer_hs256": hs256(user_id, iss="https://evil.example"),
        "wrong_audience_hs256": hs256(user_id, aud="someone-else"),
        "hs256_wrong_secret": jwt.encode(
            claims(user_id), "another-secret-of-a-good-length-0123456789", "HS256"
        ),
        "tampered_payload": f"{head}.{forged_body}.{signature}",
        "tampered_signature": f"{head}.{body}.{flipped}",
        "no_signature": f"{head}.{body}.",
        "garbage": "not-a-jwt",
        "garbage_segments": "a.b.c",
        "header_not_json": f"{_b64(b'[1,2')}.{body}.{signature}",
        "header_a_list": f"{_b64(b'[]')}.{body}.{signature}",
    }


RAW_AUTH_HEADERS = {
    "missing": None,
    "basic_scheme": "Basic dXNlcjpwYXNz",
    "bearer_only": "Bearer",
    "bearer_two_parts": "Bearer a b",
    "non_ascii": "Bearer t\u00f6ken",
}


class _JwksHandler(BaseHTTPRequestHandler):
    body = b"{}"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys()


@pytest.fixture(scope="session")
def jwks_url(keys: Keys) -> Iterator[str]:
    """The identity provider's JWKS, served over HTTP from this process."""
    handler = type("Handler", (_JwksHandler,), {"body": json.dumps(keys.jwks()).encode()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()


def auth_env(jwks_url: str) -> dict[str, str]:
    """Both key sources, bound to the issuer and audience; slow headers cut short."""
    return {
        "AUTH_JWKS_URL": jwks_url,
        "AUTH_ISSUER": ISSUER,
        "AUTH_AUDIENCE": AUDIENCE,
        "AUTH_ALLOW_HS256": "true",
        "HEADER_TIMEOUT_SECONDS": str(HEADER_TIMEOUT_SECONDS),
        "LOG_LEVEL": "INFO",
    }


@dataclass
class Stack:
    """history-service, mcp-server and agent-gateway, configured as above."""

    history: ServiceProcess
    mcp: ServiceProcess
    gateway: ServiceProcess

    @property
    def services(self) -> dict[str, ServiceProcess]:
        return {"history": self.history, "mcp": self.mcp, "gateway": self.gateway}


@pytest.fixture(scope="session")
def stack(create_database: CreateDatabase, jwks_url: str) -> Iterator[Stack]:
    env = auth_env(jwks_url)
    history = start_service(
        "history_service.main", "security-history", {**env, "DATABASE_URL": create_database()}
    )
    mcp = start_service("todo_mcp.main", "security-mcp", {**env, "DATABASE_URL": create_database()})
    gateway = start_service(
        "agent_gateway.main",
        "security-gateway",
        {**env, **gateway_env(history, mcp), **HIGH_LIMITS},
    )
    yield Stack(history, mcp, gateway)
    for process in (gateway, mcp, history):
        process.stop()


@pytest.fixture(autouse=True)
def _stack_survives(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every attack, each service of the stack is still running and healthy."""
    yield
    if "stack" not in request.fixturenames:
        return
    stack: Stack = request.getfixturevalue("stack")
    for name, process in stack.services.items():
        assert process.process is not None
        assert process.process.poll() is None, f"{name} died"
        health = httpx2.get(f"{process.url}/healthz", timeout=TIMEOUT)
        assert health.status_code == 200, f"{name} unhealthy after the attack: {health.text}"


def new_user(prefix: str = "sec") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@dataclass
class Victim:
    """A user with a task, a conversation, a message and a ChatKit thread, each holding `secret`."""

    user_id: str
    secret: str
    task_id: int
    conversation_id: str
    message_id: str
    thread_id: str
    item_ids: list[str]


def make_victim(stack: Stack, keys: Keys) -> Victim:
    user = new_user("victim")
    secret = f"SECRET-{uuid.uuid4().hex[:10]}"
    headers = bearer(rs256(keys, user))
    task = httpx2.post(
        f"{stack.mcp.url}/api/{user}/tasks",
        json={"title": secret},
        headers=headers,
        timeout=TIMEOUT,
    )
    assert task.status_code == 201, task.text
    conversation = httpx2.post(
        f"{stack.history.url}/api/{user}/conversations",
        json={"title": secret},
        headers=headers,
        timeout=TIMEOUT,
    )
    assert conversation.status_code == 201, conversation.text
    conversation_id = conversation.json()["id"]
    message = httpx2.post(
        f"{stack.history.url}/api/{user}/conversations/{conversation_id}/messages",
        json={"role": "user", "content": secret},
        headers=headers,
        timeout=TIMEOUT,
    )
    assert message.status_code == 201, message.text
    created = chatkit_request(
        stack.gateway.url, headers, "threads.create", input=user_input(f"Add a task {secret}")
    )
    assert created.status_code == 200, created.text
    events = sse_events(created.text)
    thread_id = next(e["thread"]["id"] for e in events if e["type"] == "thread.created")
    item_ids = [e["item"]["id"] for e in events if e["type"] == "thread.item.done"]
    return Victim(
        user, secret, task.json()["id"], conversation_id, message.json()["id"], thread_id, item_ids
    )


@pytest.fixture(scope="module")
def victim(stack: Stack, keys: Keys) -> Victim:
    return make_victim(stack, keys)


def user_input(text: str) -> dict[str, Any]:
    """ChatKit's `UserMessageInput` for plain text."""
    return {
        "content": [{"type": "input_text", "text": text}],
        "attachments": [],
        "inference_options": {},
    }


def chatkit_request(
    base_url: str, headers: dict[str, str], request_type: str, **params: Any
) -> httpx2.Response:
    body = {"type": request_type, "params": params, "metadata": {}}
    return httpx2.post(
        f"{base_url}/chatkit",
        content=json.dumps(body).encode(),
        headers={**headers, "Content-Type": "application/json"},
        timeout=TIMEOUT,
    )


def sse_events(text: str) -> list[dict[str, Any]]:
    """The JSON events of a ChatKit stream."""
    return [
        json.loads(frame.removeprefix("data: "))
        for frame in text.split("\n\n")
        if frame.startswith("data: ")
    ]


def rss_kib(process: ServiceProcess) -> int:
    """The process's resident memory, from /proc."""
    assert process.process is not None
    with open(f"/proc/{process.process.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def raw_request(port: int, head: bytes, body: bytes = b"", timeout: float = 15) -> bytes:
    """Send bytes as they are (no client normalises the path), return what comes back until close."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head + body)
        return read_reply(sock)


def read_reply(sock: socket.socket) -> bytes:
    """Read one HTTP response: the head, then the body by Content-Length (or until close)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        None,
    )
    while length is not None and len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head + b"\r\n\r\n" + rest


def status_of(reply: bytes) -> int:
    """The status code of a raw HTTP reply (0 when the server closed without one)."""
    if not reply.startswith(b"HTTP/1."):
        return 0
    return int(reply.split(b" ", 2)[1])
