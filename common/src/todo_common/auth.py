"""Bearer-token verification shared by every service: HS256 secret and/or a JWKS of asymmetric keys."""

import asyncio
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


@dataclass(frozen=True)
class Principal:
    """The verified caller: the user id is the token's `sub`, never anything the caller says."""

    user_id: str
    token: str
    claims: dict[str, Any] = field(repr=False)


JWKS_TIMEOUT_SECONDS = 5
"""How long a JWKS fetch may take before the token is refused (the provider is down)."""


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
            jwt.PyJWKClient(config.jwks_url, lifespan=300, timeout=JWKS_TIMEOUT_SECONDS)
            if config.jwks_url
            else None
        )
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
        key, algorithms = await self._key_for(token, header.get("alg"))
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

    async def _key_for(self, token: str, algorithm: object) -> tuple[Any, list[str]]:
        if algorithm in HMAC_ALGORITHMS and self.config.jwt_secret:
            return self.config.jwt_secret, HMAC_ALGORITHMS
        if algorithm in ASYMMETRIC_ALGORITHMS and self._jwks is not None:
            try:
                signing_key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
            except jwt.PyJWTError as exc:
                raise Unauthorized("The bearer token's signing key is unknown.") from exc
            # A key verifies only tokens of its own algorithm: an Ed25519 key's kid on a token
            # naming RS256 is refused here, not handed to the RSA verifier.
            if algorithm != signing_key.algorithm_name:
                raise Unauthorized("The bearer token's algorithm does not match its signing key.")
            return signing_key.key, [signing_key.algorithm_name]
        raise Unauthorized("The bearer token's algorithm is not accepted.")


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
