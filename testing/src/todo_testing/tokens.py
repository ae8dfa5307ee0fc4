"""Test tokens signed with the test secret, plus deliberately broken ones for the JWT matrix."""

import base64
import json
import time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from todo_common.devtoken import mint_token
from todo_common.mcp_access import DEFAULT_MCP_RESOURCE_URL, FULL_SCOPE

TEST_JWT_SECRET = "test-secret-for-the-todo-assistant-suite-0123456789"


def token_for(user_id: str, **claims: object) -> str:
    """A valid token for `user_id` signed with the test secret; like a first-party token, by default
    for the default MCP resource with every task scope (`audience=`, `scope=` override them)."""
    defaults: dict[str, object] = {"audience": DEFAULT_MCP_RESOURCE_URL, "scope": FULL_SCOPE}
    return mint_token(user_id, TEST_JWT_SECRET, **{**defaults, **claims})  # type: ignore[arg-type]  # claims pass through as the caller gives them


def auth_header(user_id: str) -> dict[str, str]:
    """`Authorization: Bearer …` for `user_id`."""
    return {"Authorization": f"Bearer {token_for(user_id)}"}


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def broken_tokens(user_id: str) -> dict[str, str]:
    """Every kind of token a service must answer with 401."""
    now = int(time.time())
    claims = {
        "sub": user_id,
        "iat": now,
        "exp": now + 600,
        "aud": DEFAULT_MCP_RESOURCE_URL,
        "scope": FULL_SCOPE,
    }
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {
        "malformed": "not-a-jwt",
        "bad_signature": jwt.encode(
            claims, "some-other-secret-that-is-long-enough-000", algorithm="HS256"
        ),
        "expired": token_for(user_id, ttl_seconds=-3600),
        "no_exp": jwt.encode({"sub": user_id}, TEST_JWT_SECRET, algorithm="HS256"),
        "alg_none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        "rs256_unknown_key": jwt.encode(claims, rsa_key, algorithm="RS256"),
        "hs256_signed_with_public_key": _hmac_with(public_pem, claims),
        # Right in everything but the one claim each is named after.
        "wrong_issuer": token_for(user_id, issuer="https://evil.example"),
        "wrong_audience": token_for(user_id, audience="someone-else"),
    }


def _hmac_with(key: bytes, claims: dict[str, object]) -> str:
    header = _b64({"alg": "HS256", "typ": "JWT"})
    body = _b64(claims)
    import hashlib
    import hmac

    signature = hmac.new(key, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
