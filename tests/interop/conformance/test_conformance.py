"""The official MCP conformance suite's server scenarios against a real mcp-server process.

The suite runs every server scenario it has (`--suite all`) against a test-only instance
(conformance_app.py) on PostgreSQL; the scenarios that fail must be exactly those listed in
expected-failures.yml. The raw output lands in test-artifacts/conformance/.
"""

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import ARTIFACTS, BASE_ENV
from todo_testing.postgres import CreateDatabase, free_port
from todo_testing.processes import ServiceProcess

HERE = Path(__file__).resolve().parent
NODE = HERE / "node_modules" / ".bin" / "node"
SUITE = HERE / "node_modules" / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
BASELINE = HERE / "expected-failures.yml"
OUTPUT = ARTIFACTS / "conformance"
FAILED = {"FAILURE", "WARNING"}  # the suite's own rule for a scenario that did not pass
# A results directory is `server-<scenario>-<ISO timestamp with dashes>`.
RESULT_DIR = re.compile(r"server-(?P<scenario>.+)-\d{4}-\d\d-\d\dT[\d-]+Z")
# The tool name rule of the MCP specification (2025-11-25, "Tool names").
TOOL_NAME = re.compile(r"[A-Za-z0-9_.-]{1,128}")


def run_suite(*args: str) -> subprocess.CompletedProcess[str]:
    """The conformance CLI on the Node 22 installed next to it (the system Node is too old)."""
    if not (NODE.exists() and SUITE.exists()):
        pytest.fail(
            "the MCP conformance suite is not installed in tests/interop/conformance: "
            "run scripts/bootstrap.sh interop"
        )
    return subprocess.run(
        [str(NODE), str(SUITE), *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=HERE,
    )


@pytest.fixture(scope="module")
def conformance_server(create_database: CreateDatabase) -> Iterator[ServiceProcess]:
    """The test-only instance: real mcp-server, each request signed in as one fixed user."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **BASE_ENV,
        "DATABASE_URL": create_database(),
        "MCP_RESOURCE_URL": f"http://127.0.0.1:{port}/mcp",
    }
    command = [sys.executable, str(HERE / "conformance_app.py")]
    server = ServiceProcess(
        "conformance_app", env, OUTPUT / "mcp-server.log", port, command=command
    ).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def results(conformance_server: ServiceProcess) -> dict[str, list[dict[str, object]]]:
    """Run every server scenario once; each scenario's checks, by scenario name."""
    results_dir = OUTPUT / "results"
    shutil.rmtree(results_dir, ignore_errors=True)
    finished = run_suite(
        "server",
        "--url",
        f"{conformance_server.url}/mcp",
        "--suite",
        "all",
        "--expected-failures",
        str(BASELINE),
        "--output-dir",
        str(results_dir),
    )
    (OUTPUT / "output.txt").write_text(finished.stdout + finished.stderr)
    checks: dict[str, list[dict[str, object]]] = {}
    for directory in sorted(results_dir.iterdir()) if results_dir.is_dir() else []:
        if match := RESULT_DIR.fullmatch(directory.name):
            checks[match["scenario"]] = json.loads((directory / "checks.json").read_text())
    return checks


def server_scenarios() -> set[str]:
    """Every server scenario the installed suite knows."""
    listed = run_suite("list", "--server")
    assert listed.returncode == 0, listed.stderr
    return set(re.findall(r"^\s+- (\S+)", listed.stdout, flags=re.MULTILINE))


def test_every_server_scenario_ran(results: dict[str, list[dict[str, object]]]):
    assert set(results) == server_scenarios(), f"see {OUTPUT / 'output.txt'}"
    assert all(results.values()), "a scenario recorded no checks"


def test_failures_are_exactly_the_baseline(results: dict[str, list[dict[str, object]]]):
    expected = set(yaml.safe_load(BASELINE.read_text())["server"])
    failing = {
        scenario
        for scenario, checks in results.items()
        if any(check["status"] in FAILED for check in checks)
    }

    assert sorted(failing - expected) == [], "new failures; see test-artifacts/conformance/"
    assert sorted(expected - failing) == [], "now passing: remove them from expected-failures.yml"


def test_every_baseline_entry_says_why():
    entries = [line for line in BASELINE.read_text().splitlines() if line.startswith("  - ")]

    assert entries
    assert [line for line in entries if not re.fullmatch(r"  - \S+ # \S.*", line)] == []


def test_the_suite_met_our_real_tools_with_valid_names(
    results: dict[str, list[dict[str, object]]],
):
    (listing,) = results["tools-list"]
    details = listing["details"]
    assert isinstance(details, dict)

    assert set(details["tools"]) == {
        "add_task",
        "list_tasks",
        "update_task",
        "complete_task",
        "delete_task",
        "complete_tasks",
        "delete_tasks",
    }
    assert all(TOOL_NAME.fullmatch(name) for name in details["tools"])
