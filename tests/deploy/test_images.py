"""The Dockerfiles (no engine here to build them): each names real packages, scripts, files and ports."""

import os
import re
import shutil
import subprocess
import tomllib

import pytest

from tests.deploy.stack import PYTHON_SERVICES, ROOT, PythonService

DOCKER = ROOT / "deploy" / "docker"


def dockerfile(name: str) -> str:
    """One image's Dockerfile, with line continuations joined."""
    return (DOCKER / f"{name}.Dockerfile").read_text().replace("\\\n", " ")


def instructions(text: str, keyword: str) -> list[str]:
    """The arguments of every `keyword` instruction."""
    return re.findall(rf"^{keyword}\s+(.+)$", text, flags=re.MULTILINE)


@pytest.mark.parametrize("name", [*PYTHON_SERVICES, "frontend"])
def test_images_are_multi_stage_non_root_and_health_checked(name: str) -> None:
    text = dockerfile(name)
    stages = instructions(text, "FROM")
    assert len(stages) >= 2
    assert all(re.match(r"(python:3\.1[1-9]-slim|node:2\d-slim)\b", stage) for stage in stages)
    users = instructions(text, "USER")
    assert users, "the runtime stage must drop root"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert "/healthz" in instructions(text, "HEALTHCHECK")[0]
    # Every file copied from the build context exists in the repository.
    for args in instructions(text, "COPY"):
        if "--from=" in args:
            continue
        *sources, _destination = args.split()
        for source in sources:
            assert (ROOT / source).exists(), f"{name}: COPY {source} names no file"


@pytest.mark.parametrize("service", PYTHON_SERVICES.values(), ids=lambda s: s.name)
def test_python_images_install_the_locked_service_and_run_its_script(
    service: PythonService,
) -> None:
    text = dockerfile(service.name)
    assert service.project["project"]["name"] == service.package
    syncs = instructions(text, "RUN uv sync")
    assert len(syncs) == 2  # dependencies first (cached), then the workspace packages
    assert all(f"--frozen --no-dev --package {service.package}" in sync for sync in syncs)
    assert f'CMD ["{service.script}"]' in text
    assert service.script in service.project["project"]["scripts"]
    assert f"EXPOSE {service.default_port}" in text
    assert f"PORT={service.default_port}" in text
    assert "HOST=0.0.0.0" in text
    # Every workspace member's manifest is copied: `uv sync --frozen` reads the whole workspace.
    root = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for member in root["tool"]["uv"]["workspace"]["members"]:
        assert f"COPY {member}/pyproject.toml {member}/" in text


def locked_requirements(*options: str) -> str:
    """What `uv sync --frozen <options>` installs, as `uv export` reads it from uv.lock."""
    uv = os.environ.get("UV") or shutil.which("uv") or pytest.skip("uv is not on PATH")
    command = [uv, "export", "--frozen", "--no-hashes", "--no-header", "--quiet", *options]
    return subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("service", PYTHON_SERVICES.values(), ids=lambda s: s.name)
def test_python_images_leave_the_test_helpers_out(service: PythonService) -> None:
    # Only the testing member's manifest reaches the build context, never its package...
    for args in instructions(dockerfile(service.name), "COPY"):
        *sources, _destination = args.split()
        assert all(s == "testing/pyproject.toml" for s in sources if s.startswith("testing"))
    # ...and the image's `uv sync --no-dev --package` does not install it or pytest.
    installed = locked_requirements("--no-dev", "--package", service.package)
    assert "./testing" not in installed
    assert "pytest" not in installed
    assert "-e ./testing" in locked_requirements()  # the dev environment does


def test_frontend_image_builds_with_next_and_serves_on_every_interface() -> None:
    text = dockerfile("frontend")
    assert "npm ci" in text
    assert "npm run build" in text
    assert "next start --hostname 0.0.0.0" in " ".join(
        re.findall(r'"([^"]+)"', instructions(text, "CMD")[0])
    )
    assert "EXPOSE 3000" in text


def test_dockerignore_keeps_local_state_out_of_the_build_context() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for pattern in ("**/.venv", "frontend/node_modules", "frontend/.next", "**/.data", ".git"):
        assert pattern in ignored
