"""The MCP face trusts a verified token again for a while, never past its expiry, never a failure."""

import pytest

from todo_common.auth import AuthConfig, Principal, TokenVerifier
from todo_common.testing.tokens import TEST_JWT_SECRET, broken_tokens, token_for
from todo_mcp import auth
from todo_mcp.auth import JwtTokenVerifier


class CountingVerifier(TokenVerifier):
    """The real verifier, counting how often it is asked."""

    calls = 0

    async def verify(self, token: str) -> Principal:
        """Count, then verify for real."""
        self.calls += 1
        return await super().verify(token)


@pytest.fixture
def counting() -> CountingVerifier:
    return CountingVerifier(AuthConfig(jwt_secret=TEST_JWT_SECRET))


async def test_a_verified_token_is_reused_until_its_expiry(
    counting: CountingVerifier, monkeypatch: pytest.MonkeyPatch
):
    verifier = JwtTokenVerifier(counting, reuse_seconds=3600)
    token = token_for("alice")

    first = await verifier.verify_token(token)
    second = await verifier.verify_token(token)
    assert first is not None
    assert second == first
    assert counting.calls == 1

    expires_at = first.expires_at
    assert expires_at is not None
    monkeypatch.setattr(auth.time, "time", lambda: expires_at + 1)
    await verifier.verify_token(token)
    assert counting.calls == 2


async def test_refused_tokens_are_never_remembered(counting: CountingVerifier):
    verifier = JwtTokenVerifier(counting)
    bad = broken_tokens("alice")["bad_signature"]

    assert await verifier.verify_token(bad) is None
    assert await verifier.verify_token(bad) is None
    assert counting.calls == 2


async def test_the_cache_is_bounded(counting: CountingVerifier):
    verifier = JwtTokenVerifier(counting, max_tokens=2)
    tokens = [token_for(f"user-{n}") for n in range(3)]
    for token in tokens:
        await verifier.verify_token(token)

    await verifier.verify_token(tokens[0])  # evicted as the oldest, so verified again
    assert counting.calls == 4
