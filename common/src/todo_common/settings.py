"""The settings every service shares, read from the environment by pydantic-settings."""

from typing import Literal

from pydantic import PositiveFloat, PositiveInt, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from todo_common.auth import AuthConfig

DEV_JWT_SECRET = "todo-assistant-local-development-secret-do-not-deploy"  # noqa: S105  (refused in production)


class ServiceSettings(BaseSettings):
    """Host, port, logging and token verification; each service subclasses it."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    app_env: Literal["development", "test", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    auth_jwt_secret: SecretStr | None = None
    auth_jwks_url: str | None = None
    auth_issuer: str | None = None
    auth_audience: str | None = None
    auth_allow_hs256: bool = False
    """Production only: also accept HS256 tokens signed with AUTH_JWT_SECRET (scripts, service
    tokens). Elsewhere a configured secret is always accepted."""
    jwks_refresh_seconds: PositiveFloat = 300.0
    """How old the JWKS may grow before it is fetched again, in the background (keys rotate)."""
    jwks_timeout_seconds: PositiveFloat = 5.0
    """How long a JWKS fetch may take before it counts as failed (the provider is down)."""
    jwks_min_refetch_seconds: PositiveFloat = 30.0
    """The least time between two JWKS fetches prompted by tokens (an unknown kid, a failed
    fetch): made-up kids cannot make every request a fetch."""
    # A 10,000-character chat message of 4-byte emoji, JSON-escaped (12 bytes each), is about
    # 120 kB: far inside the default, with room for its metadata and tool calls.
    max_request_body_bytes: PositiveInt = 1024 * 1024
    """The largest request body accepted (413 beyond it), checked before the body is read."""
    trace_include_content: bool = False
    """Let exported traces carry message text and tool arguments (the Agents SDK's sensitive
    data); off, spans name routes, tools and statuses only."""
    header_timeout_seconds: PositiveFloat = 10.0
    """How long a client may take to send a request's headers before the connection is closed."""

    @field_validator(
        "auth_jwt_secret", "auth_jwks_url", "auth_issuer", "auth_audience", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> "ServiceSettings":
        """Production fails closed: keys from a JWKS, issuer and audience checked, and HS256 only
        when switched on (with or without a JWKS) with a real secret."""
        if self.app_env != "production":
            return self
        secret = self.auth_jwt_secret.get_secret_value() if self.auth_jwt_secret else None
        if secret is None and self.auth_jwks_url is None:
            raise ValueError(
                "production needs AUTH_JWKS_URL (or AUTH_JWT_SECRET with AUTH_ALLOW_HS256=true)"
            )
        if secret is not None and (secret == DEV_JWT_SECRET or len(secret) < 32):
            raise ValueError("AUTH_JWT_SECRET must be a real secret of at least 32 characters")
        if secret is not None and not self.auth_allow_hs256:
            raise ValueError(
                "production accepts HS256 tokens only with AUTH_ALLOW_HS256=true:"
                " set it, or unset AUTH_JWT_SECRET"
            )
        missing = [
            name
            for name, value in [
                ("AUTH_ISSUER", self.auth_issuer),
                ("AUTH_AUDIENCE", self.auth_audience),
            ]
            if value is None
        ]
        if missing:
            raise ValueError(f"production needs {' and '.join(missing)} (the tokens' iss and aud)")
        return self

    @property
    def jwt_secret(self) -> str | None:
        """The HS256 secret in force: the configured one, or the local development default."""
        if self.auth_jwt_secret is not None:
            return self.auth_jwt_secret.get_secret_value()
        if self.app_env != "production" and self.auth_jwks_url is None:
            return DEV_JWT_SECRET
        return None

    def auth_config(self) -> AuthConfig:
        """What the token verifier needs."""
        return AuthConfig(
            jwt_secret=self.jwt_secret,
            jwks_url=self.auth_jwks_url,
            issuer=self.auth_issuer,
            audience=self.auth_audience,
            jwks_refresh_seconds=self.jwks_refresh_seconds,
            jwks_min_refetch_seconds=self.jwks_min_refetch_seconds,
            jwks_timeout_seconds=self.jwks_timeout_seconds,
        )


class DatabaseSettings(ServiceSettings):
    """A service that owns tables: its database and pool."""

    database_url: str
    migrate_on_start: bool = True
    # Connections beyond the pool are opened and closed per use (a backend fork, a TLS attempt,
    # type introspection, prepared statements lost): under sustained load that churn cost more
    # than waiting. So by default a request waits for a pooled connection; 20 already keep more
    # cores busy than a small machine has.
    db_pool_size: int = 20
    db_max_overflow: int = 0
    # A ping on every checkout costs three round trips on asyncpg (BEGIN, `;`, ROLLBACK). Without
    # it, connections the server closed are still dropped at checkout, at no cost (see db.py).
    db_pool_pre_ping: bool = False
    # Bounds on every wait for the database, so an outage answers 503 instead of hanging.
    db_connect_timeout_seconds: PositiveFloat = 5.0
    """How long opening a connection may take."""
    db_pool_timeout_seconds: PositiveFloat = 5.0
    """How long a request waits for a pooled connection when all are in use."""
    db_command_timeout_seconds: PositiveFloat = 10.0
    """How long one statement may run (asyncpg's command timeout)."""

    @property
    def cursor_secret(self) -> str:
        """What this service's paging cursors are signed with (by a key derived from it): the HS256
        secret, which every replica shares. Without one (JWKS only) a fixed text: cursors are then
        still checked strictly, and a forged one could only start a page of the caller's own rows
        at another place."""
        return self.jwt_secret or "todo-assistant paging cursors without AUTH_JWT_SECRET"
