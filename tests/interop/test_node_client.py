"""Interop: the official TypeScript MCP SDK (Node) talks to our server over Streamable HTTP."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from todo_testing.processes import ServiceProcess
from todo_testing.tokens import token_for

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "mcp_client.mjs"


def run_node_client(url: str, token: str) -> dict:
    """Run mcp_client.mjs against `url` and parse the JSON it prints."""
    if shutil.which("node") is None or not (HERE / "node_modules").is_dir():
        pytest.fail(
            "node and tests/interop/node_modules are required: scripts/bootstrap.sh interop"
        )
    env = {**os.environ, "MCP_URL": url, "MCP_TOKEN": token, "TASK_TITLE": "Buy stamps"}
    finished = subprocess.run(
        ["node", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)


def test_node_sdk_lists_tools_adds_and_lists_a_task(mcp_server: ServiceProcess):
    output = run_node_client(f"{mcp_server.url}/mcp", token_for("node-interop-user"))

    tools = {tool["name"]: tool for tool in output["tools"]}
    assert set(tools) == {
        "add_task",
        "list_tasks",
        "complete_task",
        "delete_task",
        "update_task",
        "complete_tasks",
        "delete_tasks",
    }
    assert all(tool["hasOutputSchema"] for tool in tools.values())
    assert tools["list_tasks"]["annotations"]["readOnlyHint"] is True
    assert tools["delete_task"]["annotations"]["destructiveHint"] is True
    assert output["server"]["name"] == "todo-mcp"

    added = output["added"]
    assert added["status"] == "created"
    assert added["title"] == "Buy stamps"
    listed = output["listed"]
    assert [(t["id"], t["title"], t["tags"]) for t in listed["tasks"]] == [
        (added["task_id"], "Buy stamps", ["node"])
    ]
    assert json.loads(output["listedText"]) == listed
    assert output["missing"] == {
        "isError": True,
        "text": "Error executing tool complete_task: Task 987654321 not found",
    }


def test_node_sdk_without_a_valid_token_fails(mcp_server: ServiceProcess):
    env = {**os.environ, "MCP_URL": f"{mcp_server.url}/mcp", "MCP_TOKEN": "not-a-jwt"}
    finished = subprocess.run(
        ["node", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120, check=False
    )

    assert finished.returncode != 0
    assert "401" in finished.stderr or "Unauthorized" in finished.stderr
