"""mcp-server configuration, from the environment."""

from dataclasses import replace
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from mcp.server.transport_security import TransportSecuritySettings
from pydantic import (
    AnyHttpUrl,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    field_validator,
    model_validator,
)
from pydantic_settings import NoDecode

from todo_common.auth import AuthConfig
from todo_common.mcp_access import DEFAULT_MCP_RESOURCE_URL
from todo_common.settings import DatabaseSettings

DEFAULT_AUTHORIZATION_SERVER = "http://127.0.0.1:3000"
LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
LOOPBACK_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*"]
# Comma-separated in the environment, not JSON.
CommaList = Annotated[list[str], NoDecode]
# An issuer is compared as a string (RFC 8414): keep "http://host:3000" without a slash added.
URL = TypeAdapter(AnyHttpUrl, config=ConfigDict(url_preserve_empty_path=True))


class Settings(DatabaseSettings):
    """HOST, PORT, DATABASE_URL, the shared AUTH_*/LOG_*/DB_* variables, the MCP endpoint's
    resource-server and transport settings, the stdio token, and how long idempotency keys are
    kept."""

    port: int = 8002
    database_url: str = "sqlite+aiosqlite:///.data/tasks.db"
    mcp_resource_url: str | None = None
    """The canonical URL of /mcp as clients reach it: the `aud` every token used there must carry.
    Required in production; DEFAULT_MCP_RESOURCE_URL elsewhere."""
    mcp_authorization_server: str | None = None
    """The OAuth authorization server named in the resource metadata; unset, AUTH_ISSUER (the
    issuer of the tokens), or the local web app when that is unset too."""
    mcp_allowed_hosts: CommaList = Field(default_factory=lambda: list(LOOPBACK_HOSTS))
    """Host headers /mcp answers (`name:port`, `name:*` for any port); others get 421."""
    mcp_allowed_origins: CommaList = Field(default_factory=lambda: list(LOOPBACK_ORIGINS))
    """Browser Origins /mcp answers (`scheme://name:*` for any port); others get 403. A request
    without an Origin (not from a browser page) is not refused for it."""
    todo_mcp_token: SecretStr | None = None
    """The bearer token naming the one user a `--transport stdio` process serves."""
    idempotency_key_ttl_seconds: int = Field(default=86400, ge=1)
    """How long a recorded idempotency key replays its result; after that it counts as new."""
    idempotency_purge_interval_seconds: float = Field(default=300, gt=0)
    """How often the background purge deletes expired idempotency keys."""

    @field_validator("mcp_allowed_hosts", "mcp_allowed_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("mcp_resource_url", "mcp_authorization_server", mode="before")
    @classmethod
    def _empty_url_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("mcp_resource_url", "mcp_authorization_server")
    @classmethod
    def _an_http_url(cls, value: str | None) -> str | None:
        return None if value is None else str(URL.validate_python(value))

    @model_validator(mode="after")
    def _resource_url_in_production(self) -> "Settings":
        """Production names its public URL: the loopback default would refuse every real token."""
        if self.app_env == "production" and self.mcp_resource_url is None:
            raise ValueError("production needs MCP_RESOURCE_URL (the public URL of /mcp)")
        return self

    @property
    def resource_url(self) -> str:
        """MCP_RESOURCE_URL, or the local default."""
        return self.mcp_resource_url or DEFAULT_MCP_RESOURCE_URL

    @property
    def authorization_server(self) -> str:
        """MCP_AUTHORIZATION_SERVER, else AUTH_ISSUER, else the local web app."""
        return self.mcp_authorization_server or self.auth_issuer or DEFAULT_AUTHORIZATION_SERVER

    def mcp_auth_config(self) -> AuthConfig:
        """The shared token checks, with the audience bound to this resource (RFC 8707)."""
        return replace(self.auth_config(), audience=self.resource_url)

    def transport_security(self) -> TransportSecuritySettings:
        """The Host and Origin allow-lists; the resource URL's own host is always allowed."""
        public_host = urlsplit(self.resource_url).netloc
        return TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=[*self.mcp_allowed_hosts, public_host],
            allowed_origins=self.mcp_allowed_origins,
        )

    @property
    def idempotency_key_ttl(self) -> timedelta:
        """IDEMPOTENCY_KEY_TTL_SECONDS as a duration."""
        return timedelta(seconds=self.idempotency_key_ttl_seconds)
