"""What the deployment files must agree with: the services as the code defines them."""

import importlib
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic_settings import BaseSettings

from todo_common import tracing

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "todo-assistant"
# Read by the OpenTelemetry SDK itself (todo_common.tracing turns it on), not by Settings.
OTEL_VARIABLES = {"OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", *tracing.ENDPOINT_VARIABLES}
# Read by Node or Next.js themselves, not by our source.
NODE_VARIABLES = {"NODE_ENV", "PORT", "HOSTNAME", "NEXT_TELEMETRY_DISABLED"}


@dataclass(frozen=True)
class PythonService:
    """A Python service: its workspace member, package, settings class and console script."""

    name: str
    member: str
    package: str
    settings: str
    script: str
    migrations: str | None

    @property
    def settings_class(self) -> type[BaseSettings]:
        """The service's Settings class, imported."""
        module, _, cls = self.settings.rpartition(".")
        return getattr(importlib.import_module(module), cls)

    @property
    def variables(self) -> set[str]:
        """Every environment variable its Settings reads (pydantic-settings is case-insensitive)."""
        return {field.upper() for field in self.settings_class.model_fields}

    @property
    def default_port(self) -> int:
        """The port it serves on when PORT is unset."""
        return self.settings_class.model_fields["port"].default

    @property
    def project(self) -> dict:
        """The member's pyproject.toml."""
        return tomllib.loads((ROOT / self.member / "pyproject.toml").read_text())


PYTHON_SERVICES = {
    service.name: service
    for service in (
        PythonService(
            "history-service",
            "history-service",
            "history-service",
            "history_service.settings.HistorySettings",
            "history-service",
            "history_service.app",
        ),
        PythonService(
            "mcp-server",
            "mcp-server",
            "todo-mcp",
            "todo_mcp.settings.Settings",
            "todo-mcp",
            "todo_mcp.app",
        ),
        PythonService(
            "agent-gateway",
            "agent-gateway",
            "agent-gateway",
            "agent_gateway.settings.Settings",
            "agent-gateway",
            None,
        ),
    )
}
FRONTEND = "frontend"
APP_SERVICES = {*PYTHON_SERVICES, FRONTEND}

_FRONTEND_ENV = re.compile(
    r"""process\.env\.([A-Z][A-Z0-9_]*)|process\.env\[["']([A-Z][A-Z0-9_]*)["']\]|\b(?:read|positiveInt)\(["']([A-Z][A-Z0-9_]*)["'][,)]"""
)


@cache
def frontend_variables() -> frozenset[str]:
    """Every environment variable the frontend's source reads."""
    found: set[str] = set()
    for path in (ROOT / "frontend" / "src").rglob("*.ts*"):
        for match in _FRONTEND_ENV.finditer(path.read_text()):
            found.update(group for group in match.groups() if group)
    return frozenset(found)


def allowed_variables(service: str) -> set[str]:
    """What a deployment may set for `service`: what its code reads."""
    if service == FRONTEND:
        return {*frontend_variables(), *NODE_VARIABLES}
    return PYTHON_SERVICES[service].variables | OTEL_VARIABLES
