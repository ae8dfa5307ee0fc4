"""TokenVerifier: HS256 with a secret, asymmetric keys from a JWKS, and the confusions in between."""

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from todo_common import auth as auth_module
from todo_common.auth import AuthConfig, TokenVerifier
from todo_common.problems import Unauthorized
from todo_common.settings import DEV_JWT_SECRET, ServiceSettings
from todo_testing.tokens import TEST_JWT_SECRET, token_for

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ED_KEY = ed25519.Ed25519PrivateKey.generate()


def _jwks(entries: list[tuple[str, object, str]] | None = None) -> bytes:
    keys = []
    for kid, key, alg in entries or [("rsa-1", RSA_KEY, "RS256"), ("ed-1", ED_KEY, "EdDSA")]:
        jwk = json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(key.public_key()))
        keys.append({**jwk, "kid": kid, "use": "sig", "alg": alg})
    return json.dumps({"keys": keys}).encode()


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    """A real JWKS endpoint on loopback, like the identity provider's."""
    body = _jwks()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/jwks"
    server.shutdown()


def claims(sub: str = "alice", **extra: object) -> dict[str, object]:
    now = int(time.time())
    return {"sub": sub, "iat": now, "exp": now + 300, **extra}


async def test_hs256_token_is_accepted_with_the_secret():
    principal = await TokenVerifier(AuthConfig(jwt_secret=TEST_JWT_SECRET)).verify(
        token_for("alice")
    )
    assert principal.user_id == "alice"


@pytest.mark.parametrize(
    ("kid", "key", "alg"), [("rsa-1", RSA_KEY, "RS256"), ("ed-1", ED_KEY, "EdDSA")]
)
async def test_asymmetric_tokens_are_verified_against_the_jwks(jwks_url, kid, key, alg):
    verifier = TokenVerifier(AuthConfig(jwks_url=jwks_url))
    token = jwt.encode(claims("bob"), key, algorithm=alg, headers={"kid": kid})
    assert (await verifier.verify(token)).user_id == "bob"


@pytest.mark.parametrize("secret", [TEST_JWT_SECRET, None])
async def test_hs256_signed_with_the_jwks_public_key_is_refused(jwks_url, secret):
    """Algorithm confusion: the public key used as an HMAC secret must not verify."""
    verifier = TokenVerifier(AuthConfig(jwt_secret=secret, jwks_url=jwks_url))
    public_pem = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}
    forged = _hmac_token(header, claims(), public_pem)
    with pytest.raises(Unauthorized):
        await verifier.verify(forged)


def _hmac_token(header: dict[str, object], payload: dict[str, object], key: bytes) -> str:
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())}"


async def test_an_unknown_kid_or_foreign_key_is_refused(jwks_url):
    verifier = TokenVerifier(AuthConfig(jwks_url=jwks_url))
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for token in [
        jwt.encode(claims(), stranger, algorithm="RS256", headers={"kid": "rsa-1"}),
        jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "nobody"}),
        token_for("alice"),  # HS256 while no secret is configured
    ]:
        with pytest.raises(Unauthorized):
            await verifier.verify(token)


PRODUCTION = {
    "APP_ENV": "production",
    "AUTH_JWKS_URL": "https://todo.example.com/api/auth/jwks",
    "AUTH_ISSUER": "https://todo.example.com",
    "AUTH_AUDIENCE": "https://todo.example.com",
}


@pytest.fixture
def production(monkeypatch):
    for name in ["AUTH_JWT_SECRET", "AUTH_ALLOW_HS256"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_production_refuses_placeholder_secrets(production):
    production.setenv("AUTH_ALLOW_HS256", "true")
    for secret in [DEV_JWT_SECRET, "short"]:
        production.setenv("AUTH_JWT_SECRET", secret)
        with pytest.raises(ValueError, match="AUTH_JWT_SECRET"):
            ServiceSettings()
    production.delenv("AUTH_JWT_SECRET")
    production.delenv("AUTH_JWKS_URL")
    with pytest.raises(ValueError, match="AUTH_JWKS_URL"):
        ServiceSettings()


def test_production_with_a_jwks_issuer_and_audience_starts(production):
    settings = ServiceSettings()
    assert settings.auth_config().jwt_secret is None  # no HS256 at all


@pytest.mark.parametrize("name", ["AUTH_ISSUER", "AUTH_AUDIENCE"])
def test_production_requires_issuer_and_audience(production, name):
    production.delenv(name)
    with pytest.raises(ValueError, match=name):
        ServiceSettings()


@pytest.mark.parametrize("jwks", [True, False])
def test_production_accepts_hs256_only_when_switched_on(production, jwks):
    """With or without a JWKS, a secret alone does not turn HS256 on: the service refuses to
    start (rather than ignore the secret), and starts once AUTH_ALLOW_HS256=true."""
    if not jwks:
        production.delenv("AUTH_JWKS_URL")
    production.setenv("AUTH_JWT_SECRET", TEST_JWT_SECRET)
    with pytest.raises(ValueError, match="AUTH_ALLOW_HS256"):
        ServiceSettings()
    production.setenv("AUTH_ALLOW_HS256", "true")
    assert ServiceSettings().auth_config().jwt_secret == TEST_JWT_SECRET


def test_development_falls_back_to_the_dev_secret_only_without_jwks(monkeypatch):
    monkeypatch.delenv("AUTH_JWT_SECRET", raising=False)
    monkeypatch.delenv("AUTH_JWKS_URL", raising=False)
    assert ServiceSettings().jwt_secret == DEV_JWT_SECRET
    monkeypatch.setenv("AUTH_JWKS_URL", "http://127.0.0.1:3000/api/auth/jwks")
    assert ServiceSettings().jwt_secret is None


class CountingVerifier(TokenVerifier):
    """The real verifier, counting how often it really decodes."""

    decodes = 0

    async def _decode(self, token: str):
        self.decodes += 1
        return await super()._decode(token)


async def test_a_verified_token_is_reused_until_its_expiry(monkeypatch):
    verifier = CountingVerifier(AuthConfig(jwt_secret=TEST_JWT_SECRET), reuse_seconds=3600)
    token = token_for("alice")
    first, second = await verifier.verify(token), await verifier.verify(token)
    assert second == first
    assert verifier.decodes == 1
    monkeypatch.setattr(auth_module.time, "time", lambda: first.claims["exp"] + 1)
    await verifier.verify(token)  # our clock is past exp: no longer trusted from memory
    assert verifier.decodes == 2


async def test_refused_tokens_are_never_remembered():
    verifier = CountingVerifier(AuthConfig(jwt_secret=TEST_JWT_SECRET))
    bad = jwt.encode(claims(), "another-secret-that-is-long-enough-0123456789", algorithm="HS256")
    for _ in range(2):
        with pytest.raises(Unauthorized):
            await verifier.verify(bad)
    assert verifier.decodes == 2


async def test_the_cache_is_bounded():
    verifier = CountingVerifier(AuthConfig(jwt_secret=TEST_JWT_SECRET), max_cached=2)
    tokens = [token_for(f"user-{n}") for n in range(3)]
    for token in tokens:
        await verifier.verify(token)
    await verifier.verify(tokens[0])  # evicted as the oldest, so decoded again
    assert verifier.decodes == 4


async def test_a_key_verifies_only_tokens_of_its_own_algorithm(jwks_url):
    """An Ed25519 key's kid on a token that names RS256 (or the RSA key's on EdDSA) is a 401,
    never handed to the other algorithm's verifier (which raised a TypeError: a 500)."""
    verifier = TokenVerifier(AuthConfig(jwks_url=jwks_url))
    for token in [
        jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "ed-1"}),
        jwt.encode(claims(), ED_KEY, algorithm="EdDSA", headers={"kid": "rsa-1"}),
        jwt.encode(claims(), RSA_KEY, algorithm="RS512", headers={"kid": "rsa-1"}),
    ]:
        with pytest.raises(Unauthorized):
            await verifier.verify(token)


class KeySetServer:
    """A real JWKS endpoint on loopback whose keys and health a test changes as it goes."""

    def __init__(self) -> None:
        self.keys = [("rsa-1", RSA_KEY, "RS256")]
        self.up = True
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                if not outer.up:
                    self.send_response(503)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(_jwks(outer.keys))

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/jwks"

    def stop(self) -> None:
        """The provider is gone: nothing listens on its port any more."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def key_server() -> Iterator[KeySetServer]:
    server = KeySetServer()
    yield server
    server.server.shutdown()
    server.server.server_close()


def rsa_token(sub: str, kid: str = "rsa-1", key: rsa.RSAPrivateKey = RSA_KEY) -> str:
    return jwt.encode(claims(sub), key, algorithm="RS256", headers={"kid": kid})


async def refreshed(verifier: TokenVerifier) -> None:
    """Wait for the background refresh the last verification started."""
    assert verifier._refresh is not None
    await verifier._refresh


@pytest.mark.parametrize("outage", ["errors", "stopped"])
async def test_known_keys_keep_verifying_while_the_provider_is_down(key_server, outage):
    verifier = TokenVerifier(
        AuthConfig(jwks_url=key_server.url, jwks_refresh_seconds=0.01, jwks_min_refetch_seconds=0)
    )
    assert (await verifier.verify(rsa_token("alice"))).user_id == "alice"
    if outage == "errors":
        key_server.up = False
    else:
        key_server.stop()
    await asyncio.sleep(0.05)  # the key set is now older than its refresh interval
    await verifier.verify(rsa_token("bob"))  # starts a background refresh, which fails
    await refreshed(verifier)
    if outage == "errors":
        assert key_server.fetches == 2
    # The last good key set is still in use, for a token never seen before.
    assert (await verifier.verify(rsa_token("carol"))).user_id == "carol"


async def test_the_key_set_is_refreshed_in_the_background(key_server):
    verifier = TokenVerifier(
        AuthConfig(jwks_url=key_server.url, jwks_refresh_seconds=0.01, jwks_min_refetch_seconds=0)
    )
    await verifier.verify(rsa_token("alice"))
    key_server.keys = [("ed-1", ED_KEY, "EdDSA")]  # the provider rotated its keys
    await asyncio.sleep(0.05)
    await verifier.verify(rsa_token("bob"))  # answered from the old set, refresh under way
    await refreshed(verifier)
    assert key_server.fetches == 2
    with pytest.raises(Unauthorized):  # the retired key no longer verifies
        await verifier.verify(rsa_token("carol"))
    ed_token = jwt.encode(claims("dave"), ED_KEY, algorithm="EdDSA", headers={"kid": "ed-1"})
    assert (await verifier.verify(ed_token)).user_id == "dave"


async def test_an_unknown_kid_fetches_the_key_set_again_for_a_rotated_key(key_server):
    verifier = TokenVerifier(AuthConfig(jwks_url=key_server.url, jwks_min_refetch_seconds=0))
    await verifier.verify(rsa_token("alice"))
    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_server.keys = [("rsa-1", RSA_KEY, "RS256"), ("rsa-2", new_key, "RS256")]
    assert (await verifier.verify(rsa_token("bob", "rsa-2", new_key))).user_id == "bob"
    assert key_server.fetches == 2


async def test_unknown_kids_do_not_turn_into_a_stream_of_fetches(key_server):
    verifier = TokenVerifier(AuthConfig(jwks_url=key_server.url, jwks_min_refetch_seconds=3600))
    await verifier.verify(rsa_token("alice"))
    for n in range(5):
        with pytest.raises(Unauthorized):
            await verifier.verify(rsa_token("mallory", kid=f"made-up-{n}"))
    assert key_server.fetches == 1
    key_server.up = False
    fresh = TokenVerifier(AuthConfig(jwks_url=key_server.url, jwks_min_refetch_seconds=3600))
    for _ in range(3):  # never fetched, provider down: one attempt, then refused at once
        with pytest.raises(Unauthorized):
            await fresh.verify(rsa_token("alice"))
    assert key_server.fetches == 2


async def test_a_provider_that_never_answers_is_a_401_not_a_hang():
    """A listening socket that accepts and then says nothing: the fetch gives up after
    JWKS_TIMEOUT_SECONDS and the token is refused."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/jwks"
        verifier = TokenVerifier(AuthConfig(jwks_url=url, jwks_timeout_seconds=0.2))
        with pytest.raises(Unauthorized, match="signing key"):
            await verifier.verify(rsa_token("alice"))


def test_the_jwks_timeout_and_refresh_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("JWKS_TIMEOUT_SECONDS", "2.5")
    monkeypatch.setenv("JWKS_REFRESH_SECONDS", "60")
    monkeypatch.setenv("JWKS_MIN_REFETCH_SECONDS", "10")
    config = ServiceSettings().auth_config()
    assert (config.jwks_timeout_seconds, config.jwks_refresh_seconds) == (2.5, 60)
    assert config.jwks_min_refetch_seconds == 10
    assert AuthConfig().jwks_timeout_seconds == 5  # the default: a short wait


async def test_requests_arriving_together_share_the_first_fetch(key_server):
    """The first requests after a start all wait for the one fetch, none is refused for it."""
    verifier = TokenVerifier(AuthConfig(jwks_url=key_server.url, jwks_min_refetch_seconds=3600))
    principals = await asyncio.gather(*(verifier.verify(rsa_token(f"u{n}")) for n in range(8)))
    assert [p.user_id for p in principals] == [f"u{n}" for n in range(8)]
    assert key_server.fetches == 1
