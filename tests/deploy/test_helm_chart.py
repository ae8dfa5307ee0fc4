"""The Helm chart, rendered offline (Helm 4 via helm-python-sdk) and checked against Kubernetes schemas."""

import importlib
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

from tests.deploy.stack import CHART, FRONTEND, PYTHON_SERVICES, allowed_variables

KUBERNETES_VERSIONS = ("1.29", kubernetes_validate.utils.latest_version())
NEON_URL = (
    "postgresql+asyncpg://todo:pw@ep-cool-name-pooler.eu-central-1.aws.neon.tech/todo?ssl=require"
)
# The least an install must be given: there is no default secret or password.
REQUIRED = {"secrets": {"betterAuthSecret": "b" * 40}, "postgresql": {"password": "pg-password"}}
SCENARIOS: dict[str, dict[str, Any]] = {
    "default": REQUIRED,
    "external-db-ingress-hpa": {
        "database": {"url": NEON_URL},
        "postgresql": {"enabled": False},
        "secrets": {
            "authJwtSecret": "x" * 40,
            "betterAuthSecret": "y" * 40,
            "openaiApiKey": "sk-test",
        },
        "auth": {
            "issuer": "https://todo.example.com",
            "audience": "https://todo.example.com",
            "allowHs256": True,
        },
        "agentGateway": {
            "modelProvider": "openai",
            "model": "gpt-4.1-mini",
            "autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 12},
        },
        "frontend": {"publicUrl": "https://todo.example.com", "replicas": 2},
        "ingress": {
            "enabled": True,
            "className": "nginx",
            "host": "todo.example.com",
            "tls": [{"secretName": "todo-tls", "hosts": ["todo.example.com"]}],
            "exposeMcp": True,
        },
        "otel": {"endpoint": "http://otel-collector.observability:4318"},
        "image": {"registry": "ghcr.io/acme/todo-assistant", "tag": "1.2.3"},
    },
    "minimal": {
        "postgresql": {"enabled": False},
        "secrets": {"existingSecret": "todo-secrets"},
        "agentGateway": {"autoscaling": {"enabled": False}, "replicas": 1},
        "historyService": {"replicas": 1},
        "mcpServer": {"replicas": 1},
    },
}


def render(values: dict[str, Any]) -> list[dict[str, Any]]:
    """Every manifest the chart renders for `values`, as a fresh install would."""
    with helm.Chart.load(CHART) as chart:
        rendered = chart.render(values, name="todo", namespace="todo", is_install=True)
    return [
        document for text in rendered.values() for document in yaml.safe_load_all(text) if document
    ]


@pytest.fixture(scope="module", params=list(SCENARIOS))
def scenario(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    """(name, manifests) for each representative set of values."""
    return request.param, render(SCENARIOS[request.param])


def of_kind(manifests: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """Manifests of one kind by component label (or name)."""
    found = {}
    for manifest in manifests:
        if manifest["kind"] == kind:
            labels = manifest["metadata"].get("labels", {})
            found[labels.get("app.kubernetes.io/component", manifest["metadata"]["name"])] = (
                manifest
            )
    return found


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_helm_lint_finds_no_errors_or_warnings(name: str) -> None:
    report = helm.lint(str(CHART), SCENARIOS[name], strict=True)
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert not report["errors"], report
    assert not problems, report


def test_every_manifest_is_valid_kubernetes(scenario: tuple[str, list[dict[str, Any]]]) -> None:
    _name, manifests = scenario
    assert len(manifests) >= 10
    for manifest in manifests:
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(manifest, version, strict=True)


def test_each_app_has_probes_resources_and_runs_as_non_root(
    scenario: tuple[str, list[dict[str, Any]]],
) -> None:
    _name, manifests = scenario
    deployments = of_kind(manifests, "Deployment")
    services = of_kind(manifests, "Service")
    assert set(deployments) == {*PYTHON_SERVICES, FRONTEND}
    for component, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        port = container["ports"][0]["containerPort"]
        if component in PYTHON_SERVICES:
            assert port == PYTHON_SERVICES[component].default_port
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        ready = "/healthz" if component == FRONTEND else "/readyz"
        assert container["readinessProbe"]["httpGet"]["path"] == ready
        assert set(container["resources"]) == {"requests", "limits"}
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["image"].rsplit(":", 1)[0].endswith(f"/{component}")
        service = services[component]
        assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
        assert service["spec"]["ports"][0]["port"] == port


def test_each_app_gets_only_variables_its_code_reads(
    scenario: tuple[str, list[dict[str, Any]]],
) -> None:
    _name, manifests = scenario
    config_maps = of_kind(manifests, "ConfigMap")
    for component, deployment in of_kind(manifests, "Deployment").items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        names = {entry["name"] for entry in container.get("env", [])}
        for source in container["envFrom"]:
            config_map = source["configMapRef"]["name"]
            assert config_maps[component]["metadata"]["name"] == config_map
            names |= set(config_maps[component]["data"])
        unknown = names - allowed_variables(component)
        assert not unknown, f"{component} is given variables its code never reads: {unknown}"
        if component in PYTHON_SERVICES:
            PYTHON_SERVICES[component].settings_class(
                **{key.lower(): value for key, value in config_maps[component]["data"].items()}
            )


def test_default_values_bring_their_own_database_and_migrate_on_start() -> None:
    manifests = render(REQUIRED)
    assert "postgresql" in of_kind(manifests, "StatefulSet")
    assert not of_kind(manifests, "Job")
    config_maps = of_kind(manifests, "ConfigMap")
    for service in ("history-service", "mcp-server"):
        assert config_maps[service]["data"]["MIGRATE_ON_START"] == "true"
    (secret,) = (
        m for m in manifests if m["kind"] == "Secret" and "history-database-url" in m["stringData"]
    )
    assert (
        "@todo-todo-assistant-postgresql:5432/todo" in secret["stringData"]["history-database-url"]
    )


def test_external_database_migrates_in_a_hook_job_before_the_services_start() -> None:
    manifests = render(SCENARIOS["external-db-ingress-hpa"])
    assert not of_kind(manifests, "StatefulSet")
    (job,) = of_kind(manifests, "Job").values()
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    pod = job["spec"]["template"]["spec"]
    commands = [c["command"] for c in [*pod["initContainers"], *pod["containers"]]]
    assert commands == [
        ["python", "-m", "todo_common.migrate", "history_service.app"],
        ["python", "-m", "todo_common.migrate", "todo_mcp.app"],
    ]
    for command in commands:
        module = importlib.import_module(command[-1])
        assert module.MIGRATIONS.is_dir()
        assert module.VERSION_TABLE
    # The Job's Secret is a hook too: the release's own Secret does not exist yet.
    secrets = {m["metadata"]["name"]: m for m in manifests if m["kind"] == "Secret"}
    hook_secret = next(
        s for s in secrets.values() if "helm.sh/hook" in s["metadata"].get("annotations", {})
    )
    assert int(hook_secret["metadata"]["annotations"]["helm.sh/hook-weight"]) < 0
    assert hook_secret["stringData"]["mcp-database-url"] == NEON_URL
    config_maps = of_kind(manifests, "ConfigMap")
    for service in ("history-service", "mcp-server"):
        assert config_maps[service]["data"]["MIGRATE_ON_START"] == "false"
    app_secret = secrets["todo-todo-assistant"]["stringData"]
    assert app_secret["history-database-url"] == NEON_URL
    assert app_secret["auth-database-url"].startswith("postgresql://")
    assert app_secret["auth-database-url"].endswith("?sslmode=require")


def test_gateway_scales_horizontally_and_ingress_routes_to_the_web_app() -> None:
    manifests = render(SCENARIOS["external-db-ingress-hpa"])
    (hpa,) = of_kind(manifests, "HorizontalPodAutoscaler").values()
    gateway = of_kind(manifests, "Deployment")["agent-gateway"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == gateway["metadata"]["name"]
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 12)
    assert "replicas" not in gateway["spec"], "the HPA owns the replica count"
    (ingress,) = of_kind(manifests, "Ingress").values()
    paths = {
        p["path"]: p["backend"]["service"]["name"]
        for p in ingress["spec"]["rules"][0]["http"]["paths"]
    }
    services = {s["metadata"]["name"]: c for c, s in of_kind(manifests, "Service").items()}
    assert {path: services[name] for path, name in paths.items()} == {
        "/": FRONTEND,
        "/mcp": "mcp-server",
        "/.well-known/oauth-protected-resource/mcp": "mcp-server",
    }
    assert ingress["spec"]["tls"][0]["secretName"] == "todo-tls"


def test_minimal_values_use_an_existing_secret_and_fixed_replicas() -> None:
    manifests = render(SCENARIOS["minimal"])
    assert not [m for m in manifests if m["kind"] == "Secret"]
    assert not of_kind(manifests, "HorizontalPodAutoscaler")
    assert of_kind(manifests, "Deployment")["agent-gateway"]["spec"]["replicas"] == 1
    refs = {
        entry["valueFrom"]["secretKeyRef"]["name"]
        for manifest in manifests
        if manifest["kind"] in ("Deployment", "Job")
        for container in [
            *manifest["spec"]["template"]["spec"].get("initContainers", []),
            *manifest["spec"]["template"]["spec"]["containers"],
        ]
        for entry in container.get("env", [])
        if "valueFrom" in entry
    }
    assert refs == {"todo-secrets"}


def test_no_database_at_all_is_refused() -> None:
    with pytest.raises(helm.HelmError, match=r"database\.url"):
        render({"postgresql": {"enabled": False}})


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"postgresql": {"password": "pg-password"}}, r"secrets\.betterAuthSecret"),
        ({"secrets": {"betterAuthSecret": "b" * 40}}, r"postgresql\.password"),
        ({**REQUIRED, "auth": {"allowHs256": True}}, r"secrets\.authJwtSecret"),
        (
            {**REQUIRED, "secrets": {"betterAuthSecret": "b" * 40, "authJwtSecret": "j" * 40}},
            r"auth\.allowHs256",
        ),
    ],
    ids=["no-auth-secret", "no-database-password", "hs256-without-secret", "secret-without-hs256"],
)
def test_an_install_without_its_secrets_is_refused_naming_the_value(values, named) -> None:
    with pytest.raises(helm.HelmError, match=named):
        render(values)


def test_services_always_check_issuer_and_audience_and_hs256_is_off_by_default() -> None:
    manifests = render(REQUIRED)
    config_maps = of_kind(manifests, "ConfigMap")
    for component in PYTHON_SERVICES:
        data = config_maps[component]["data"]
        assert data["AUTH_ISSUER"] == data["AUTH_AUDIENCE"] == "http://localhost:3000"
        assert data["AUTH_ALLOW_HS256"] == "false"
        (container,) = of_kind(manifests, "Deployment")[component]["spec"]["template"]["spec"][
            "containers"
        ]
        assert "AUTH_JWT_SECRET" not in {entry["name"] for entry in container.get("env", [])}
        settings = PYTHON_SERVICES[component].settings_class(
            **{key.lower(): value for key, value in data.items()}
        )
        assert settings.auth_config().jwt_secret is None
    on = of_kind(render(SCENARIOS["external-db-ingress-hpa"]), "Deployment")
    for component in PYTHON_SERVICES:
        (container,) = on[component]["spec"]["template"]["spec"]["containers"]
        assert "AUTH_JWT_SECRET" in {entry["name"] for entry in container["env"]}


def test_mcp_tokens_and_their_checks_agree() -> None:
    """The frontend issues tokens for the resource mcp-server insists on (the public /mcp the
    ingress routes), and mcp-server answers the Host the gateway calls it by."""
    config_maps = of_kind(render(SCENARIOS["external-db-ingress-hpa"]), "ConfigMap")
    mcp, frontend = config_maps["mcp-server"]["data"], config_maps[FRONTEND]["data"]
    assert mcp["MCP_RESOURCE_URL"] == frontend["MCP_RESOURCE_URL"] == "https://todo.example.com/mcp"
    assert mcp["MCP_AUTHORIZATION_SERVER"] == "https://todo.example.com"
    gateway_url = config_maps["agent-gateway"]["data"]["MCP_SERVER_URL"]
    assert gateway_url.split("/")[2] in mcp["MCP_ALLOWED_HOSTS"].split(",")
    assert mcp["MCP_ALLOWED_ORIGINS"] == "https://todo.example.com"
    assert frontend["OAUTH_ACCESS_TOKEN_SECONDS"] == "900"
