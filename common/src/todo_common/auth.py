"""Bearer-token verification shared by every service: HS256 secret and/or a JWKS of asymmetric keys."""

import asyncio
import logging
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Annotated, Any

import jwt
from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from todo_common.problems import Forbidden, Unauthorized

HMAC_ALGORITHMS = ["HS256"]
ASYMMETRIC_ALGORITHMS = [
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "EdDSA",
]
CLOCK_SKEW_SECONDS = 10


@dataclass(frozen=True)
class AuthConfig:
    """Where keys come from and which issuer/audience to insist on."""

    jwt_secret: str | None = None
    jwks_url: str | None = None
    issuer: str | None = None
    audience: str | None = None
    jwks_refresh_seconds: float = 300
    """Age after which the key set is fetched again, in the background."""
    jwks_min_refetch_seconds: float = 30
    """The least time between two fetches prompted by tokens (an unknown `kid`, no key set yet)."""
    jwks_timeout_seconds: float = 5
    """How long a JWKS fetch may take before it counts as failed (the provider is down)."""


@dataclass(frozen=True)
class Principal:
    """The verified caller: the user id is the token's `sub`, never anything the caller says."""

    user_id: str
    token: str
    claims: dict[str, Any] = field(repr=False)


logger = logging.getLogger("todo.auth")


class _JwksClient(jwt.PyJWKClient):
    """PyJWKClient that remembers when it last tried and last managed to fetch the key set.

    Its cache never expires by itself: the last good key set stays in use until a fetch replaces
    it, so tokens signed with a known key still verify while the identity provider is down.
    """

    def __init__(self, url: str, timeout: float) -> None:
        super().__init__(url, lifespan=math.inf, timeout=timeout)
        self.attempted_at = self.fetched_at = -math.inf

    def fetch_data(self) -> Any:
        """Fetch (and cache) the key set, noting the time of the attempt and of the success."""
        self.attempted_at = time.monotonic()
        data = super().fetch_data()
        self.fetched_at = time.monotonic()
        return data


class TokenVerifier:
    """Verifies a JWT; the algorithm family decides the key, so HS/RS confusion cannot happen.

    A client sends the same token with every request, and decoding it is a large share of a cheap
    request's CPU: a token that verified is trusted again for `reuse_seconds`, never past its `exp`.
    Refusals are never remembered.
    """

    def __init__(
        self, config: AuthConfig, reuse_seconds: float = 60, max_cached: int = 4096
    ) -> None:
        self.config = config
        self.reuse_seconds = reuse_seconds
        self.max_cached = max_cached
        self._jwks = (
            _JwksClient(config.jwks_url, config.jwks_timeout_seconds) if config.jwks_url else None
        )
        self._jwks_lock = threading.Lock()
        self._fetch_lock = threading.Lock()
        self._refresh: asyncio.Task[None] | None = None
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        """Return the principal, or raise Unauthorized saying why."""
        now = time.time()
        if (cached := self._verified.get(token)) is not None and now < cached[1]:
            return cached[0]
        principal = await self._decode(token)
        good_until = now + self.reuse_seconds
        if isinstance(expires := principal.claims.get("exp"), int | float):
            good_until = min(good_until, float(expires))
        self._verified[token] = (principal, good_until)
        self._verified.move_to_end(token)
        while len(self._verified) > self.max_cached:
            self._verified.popitem(last=False)
        return principal

    async def _decode(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("The bearer token is malformed.") from exc
        key, algorithms = await self._key_for(header.get("alg"), header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                issuer=self.config.issuer,
                audience=self.config.audience,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "sub"], "verify_aud": self.config.audience is not None},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The bearer token has expired.") from exc
        except (jwt.PyJWTError, TypeError, ValueError) as exc:
            # Whatever a hostile token makes the decoder raise, it is a refused token, not a 500.
            raise Unauthorized("The bearer token is invalid.") from exc
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise Unauthorized("The bearer token names no user.")
        return Principal(user_id=subject, token=token, claims=claims)

    async def _key_for(self, algorithm: object, kid: object) -> tuple[Any, list[str]]:
        if algorithm in HMAC_ALGORITHMS and self.config.jwt_secret:
            return self.config.jwt_secret, HMAC_ALGORITHMS
        if algorithm in ASYMMETRIC_ALGORITHMS and self._jwks is not None:
            self._refresh_when_stale(self._jwks)
            try:
                # In a thread: the first fetch (or one for an unknown kid) is blocking I/O.
                signing_key = await asyncio.to_thread(self._signing_key, self._jwks, kid)
            except jwt.PyJWTError as exc:
                raise Unauthorized("The bearer token's signing key is unknown.") from exc
            # A key verifies only tokens of its own algorithm: an Ed25519 key's kid on a token
            # naming RS256 is refused here, not handed to the RSA verifier.
            if algorithm != signing_key.algorithm_name:
                raise Unauthorized("The bearer token's algorithm does not match its signing key.")
            return signing_key.key, [signing_key.algorithm_name]
        raise Unauthorized("The bearer token's algorithm is not accepted.")

    def _signing_key(self, jwks: _JwksClient, kid: object) -> jwt.PyJWK:
        """The key named `kid` from the cached set. The set is fetched when there is none yet, and
        again for an unknown kid (a rotated key), but at most once per `jwks_min_refetch_seconds`:
        made-up kids, or tokens while the provider is down, cannot turn into a stream of fetches.
        One fetch at a time; requests that waited for it use what it brought."""
        key = self._cached_key(jwks, kid)
        if key is None:
            with self._fetch_lock:
                key = self._cached_key(jwks, kid)
                if key is None and self._claim_fetch(jwks):
                    jwks.get_jwk_set(refresh=True)
                    key = self._cached_key(jwks, kid)
        if key is None:
            raise jwt.PyJWKClientError("No key in the key set matches the token's kid.")
        return key

    @staticmethod
    def _cached_key(jwks: _JwksClient, kid: object) -> jwt.PyJWK | None:
        if jwks.fetched_at == -math.inf:
            return None
        # The cached set: it never expires by itself, so this does no I/O.
        return jwks.match_kid(jwks.get_signing_keys(), kid)  # type: ignore[arg-type]

    def _claim_fetch(self, jwks: _JwksClient) -> bool:
        """True (and the attempt noted) when no fetch was tried in the last few seconds."""
        with self._jwks_lock:
            now = time.monotonic()
            if now - jwks.attempted_at < self.config.jwks_min_refetch_seconds:
                return False
            jwks.attempted_at = now
            return True

    def _refresh_when_stale(self, jwks: _JwksClient) -> None:
        """Fetch the key set again in the background once it is older than `jwks_refresh_seconds`;
        meanwhile, and after a failed fetch, requests use the keys already known."""
        if jwks.fetched_at == -math.inf or (self._refresh and not self._refresh.done()):
            return
        if time.monotonic() - jwks.fetched_at < self.config.jwks_refresh_seconds:
            return
        if self._claim_fetch(jwks):
            self._refresh = asyncio.create_task(asyncio.to_thread(self._refetch, jwks))

    @staticmethod
    def _refetch(jwks: _JwksClient) -> None:
        try:
            jwks.get_jwk_set(refresh=True)
        except jwt.PyJWTError as exc:
            logger.warning("JWKS refresh failed; the last good key set stays in use: %s", exc)


_bearer = HTTPBearer(auto_error=False, description="A JWT whose `sub` is the user id.")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """FastAPI dependency: the verified caller of this request."""
    if credentials is None:
        raise Unauthorized("A bearer token is required.")
    verifier: TokenVerifier = request.app.state.token_verifier
    return await verifier.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def path_owner(
    user_id: Annotated[str, Path(description="Must equal the token's `sub`.")],
    principal: CurrentPrincipal,
) -> Principal:
    """FastAPI dependency for `/api/{user_id}/...`: the path must name the caller."""
    if user_id != principal.user_id:
        raise Forbidden("The path names a different user than the bearer token.")
    return principal


PathOwner = Annotated[Principal, Depends(path_owner)]
