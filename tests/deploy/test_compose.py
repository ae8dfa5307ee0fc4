"""compose.yaml: valid compose-spec, and every service, port and variable it names exists in the code."""

import re
import subprocess
import sys
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from tests.deploy.stack import (
    APP_SERVICES,
    FRONTEND,
    PYTHON_SERVICES,
    ROOT,
    allowed_variables,
)

COMPOSE = ROOT / "compose.yaml"
# The address a browser opens, not one service calling another.
PUBLIC_URLS = {"BETTER_AUTH_URL", "MCP_RESOURCE_URL", "MCP_AUTHORIZATION_SERVER"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """compose.yaml with its anchors and merge keys resolved."""
    return yaml.safe_load(COMPOSE.read_text())


def env(compose: dict[str, Any], service: str) -> dict[str, str]:
    """The environment a service is given, as strings."""
    return {k: str(v) for k, v in compose["services"][service].get("environment", {}).items()}


def test_compose_matches_the_compose_spec_schema() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_postgres_and_the_four_apps(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"postgres", *APP_SERVICES}
    assert compose["services"]["postgres"]["image"].startswith("postgres:17")
    assert "pg_isready" in str(compose["services"]["postgres"]["healthcheck"]["test"])


@pytest.mark.parametrize("service", sorted(APP_SERVICES))
def test_every_variable_a_service_gets_is_one_its_code_reads(
    compose: dict[str, Any], service: str
) -> None:
    unknown = set(env(compose, service)) - allowed_variables(service)
    assert not unknown, f"{service} is given variables its code never reads: {sorted(unknown)}"


@pytest.mark.parametrize("service", sorted(PYTHON_SERVICES))
def test_python_services_get_settings_their_settings_class_accepts(
    compose: dict[str, Any], service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env(compose, service).items():
        # Unset ${VAR:-default} placeholders take their default, as compose would.
        monkeypatch.setenv(name, _interpolate(value))
    settings = PYTHON_SERVICES[service].settings_class()
    assert settings.app_env == "production"
    assert settings.log_format == "json"
    assert settings.host == "0.0.0.0"


@pytest.mark.parametrize("service", sorted(APP_SERVICES))
def test_ports_and_healthchecks_agree(compose: dict[str, Any], service: str) -> None:
    spec = compose["services"][service]
    port = int(env(compose, service)["PORT"])
    if service in PYTHON_SERVICES:
        assert port == PYTHON_SERVICES[service].default_port
    published = [str(mapping).rsplit(":", 1)[-1] for mapping in spec["ports"]]
    assert published == [str(port)]
    assert f"127.0.0.1:{port}/healthz" in str(spec["healthcheck"]["test"])
    dockerfile = (ROOT / spec["build"]["dockerfile"]).read_text()
    assert f"EXPOSE {port}" in dockerfile
    assert spec["build"]["context"] == "."


def test_start_order_waits_for_healthy_dependencies(compose: dict[str, Any]) -> None:
    services = compose["services"]
    expected = {
        "history-service": {"postgres"},
        "mcp-server": {"postgres"},
        "agent-gateway": {"history-service", "mcp-server"},
        FRONTEND: {"postgres", "agent-gateway"},
    }
    for service, dependencies in expected.items():
        depends_on = services[service]["depends_on"]
        assert set(depends_on) == dependencies, service
        assert {d["condition"] for d in depends_on.values()} == {"service_healthy"}
        for dependency in dependencies:
            assert "healthcheck" in services[dependency], dependency


def test_urls_between_services_point_at_real_services_and_ports(compose: dict[str, Any]) -> None:
    ports = {name: int(env(compose, name)["PORT"]) for name in APP_SERVICES}
    ports["postgres"] = 5432
    urls = {
        (service, name): value
        for service in APP_SERVICES
        for name, value in env(compose, service).items()
        if name.endswith("_URL") and "://" in value and name not in PUBLIC_URLS
    }
    assert len(urls) >= 8
    for (service, name), value in urls.items():
        url = urlsplit(_interpolate(value))
        assert url.hostname in ports, f"{service} {name}={value}: no such service"
        assert url.port == ports[url.hostname], f"{service} {name}={value}: wrong port"
    gateway = env(compose, "agent-gateway")
    assert urlsplit(gateway["MCP_SERVER_URL"]).path == "/mcp"
    for service in ("history-service", "mcp-server"):
        assert env(compose, service)["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert env(compose, service)["AUTH_JWKS_URL"].endswith("/api/auth/jwks")
    assert (ROOT / "frontend/src/app/api/auth/[...all]/route.ts").is_file()


# What an operator's .env provides: the variables compose refuses to start without.
DOT_ENV = {"POSTGRES_PASSWORD": "a-real-database-password", "BETTER_AUTH_SECRET": "z" * 40}
SECRET_NAMES = re.compile(r"SECRET|PASSWORD|API_KEY")


def _interpolate(value: str, environ: dict[str, str] = DOT_ENV) -> str:
    """Expand `${NAME:-default}` and `${NAME:?message}` as compose does with `environ` set;
    ValueError(message) for a required variable that is unset."""
    for match in reversed(list(INTERPOLATION.finditer(value))):
        name, kind, rest = match.group("name", "kind", "rest")
        if environ.get(name):
            replacement = environ[name]
        elif kind == ":?":
            raise ValueError(rest)
        else:
            replacement = rest or ""
        value = value[: match.start()] + replacement + value[match.end() :]
    return value


INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?:(?P<kind>:-|:\?)(?P<rest>[^}]*))?\}")


def _placeholders(compose: dict[str, Any]) -> dict[str, set[tuple[str, str | None]]]:
    """Every `${NAME…}` in compose.yaml: NAME -> {(kind, default or message)}."""
    found: dict[str, set[tuple[str, str | None]]] = {}
    for match in INTERPOLATION.finditer(COMPOSE.read_text()):
        found.setdefault(match["name"], set()).add((match["kind"] or "", match["rest"]))
    return found


def test_no_secret_has_a_default_and_each_required_one_is_named(compose: dict[str, Any]) -> None:
    """compose refuses to start without each secret, saying which variable to set; none has a
    public default to fall back on."""
    placeholders = _placeholders(compose)
    secrets = {name for name in placeholders if SECRET_NAMES.search(name)}
    assert {"POSTGRES_PASSWORD", "BETTER_AUTH_SECRET"} <= secrets
    for name in secrets:
        for kind, rest in placeholders[name]:
            assert not (kind == ":-" and rest), f"{name} has a default: {rest}"
    for name in DOT_ENV:
        for kind, message in placeholders[name]:
            assert kind == ":?", name
            assert f"set {name}" in (message or ""), name
            with pytest.raises(ValueError, match=f"set {name}"):
                _interpolate(f"${{{name}{kind}{message}}}", {})


def test_services_verify_issuer_and_audience_and_leave_hs256_off(compose: dict[str, Any]) -> None:
    public_url = _interpolate(env(compose, FRONTEND)["BETTER_AUTH_URL"])
    for service in PYTHON_SERVICES:
        given = {name: _interpolate(value) for name, value in env(compose, service).items()}
        assert given["AUTH_ISSUER"] == given["AUTH_AUDIENCE"] == public_url
        assert given["AUTH_ALLOW_HS256"] == "false"
        assert given["AUTH_JWT_SECRET"] == ""


def test_mcp_tokens_and_their_checks_agree(compose: dict[str, Any]) -> None:
    """The frontend issues tokens for the resource mcp-server insists on, and mcp-server answers
    the Host the gateway calls it by."""
    mcp, frontend = env(compose, "mcp-server"), env(compose, FRONTEND)
    assert _interpolate(mcp["MCP_RESOURCE_URL"]) == "http://localhost:8002/mcp"
    assert frontend["MCP_RESOURCE_URL"] == mcp["MCP_RESOURCE_URL"]
    assert mcp["MCP_AUTHORIZATION_SERVER"] == frontend["BETTER_AUTH_URL"]
    gateway_host = urlsplit(env(compose, "agent-gateway")["MCP_SERVER_URL"]).netloc
    assert gateway_host in _interpolate(mcp["MCP_ALLOWED_HOSTS"]).split(",")
    assert _interpolate(mcp["MCP_ALLOWED_ORIGINS"]) == "http://localhost:3000"
