"""`todo-mcp --transport stdio`: one user, named by the token in TODO_MCP_TOKEN."""

import os
import subprocess
import sys

from mcp import Client, StdioServerParameters

from todo_testing.postgres import CreateDatabase
from todo_testing.tokens import TEST_JWT_SECRET, broken_tokens, token_for

from .test_mcp_tools import call, error

COMMAND = [sys.executable, "-m", "todo_mcp.main", "--transport", "stdio"]


def stdio_env(database_url: str, token: str) -> dict[str, str]:
    """What a local MCP client would put in its server config."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "AUTH_JWT_SECRET": TEST_JWT_SECRET,
        "TODO_MCP_TOKEN": token,
    }


async def test_stdio_serves_the_tokens_user_only(create_database: CreateDatabase, user: str):
    database = create_database()
    params = StdioServerParameters(
        command=COMMAND[0], args=COMMAND[1:], env=stdio_env(database, token_for(user))
    )
    async with Client(params) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        task_id = (await call(client, "add_task", title="Local task"))["task_id"]
        assert (await call(client, "complete_task", task_id=task_id))["status"] == "completed"
        page = await call(client, "list_tasks")
        assert "Task 424242 not found" in await error(client, "delete_task", task_id=424242)

    assert tools == {
        "add_task",
        "list_tasks",
        "complete_task",
        "delete_task",
        "update_task",
        "complete_tasks",
        "delete_tasks",
    }
    assert [(t["id"], t["completed"]) for t in page["tasks"]] == [(task_id, True)]


def test_stdio_refuses_a_bad_token(create_database: CreateDatabase, user: str):
    env = stdio_env(create_database(), broken_tokens(user)["bad_signature"])
    finished = subprocess.run(
        COMMAND, env=env, input=b"", capture_output=True, timeout=60, check=False
    )

    assert finished.returncode != 0
    assert b"TODO_MCP_TOKEN refused" in finished.stderr
    assert finished.stdout == b""


def test_stdio_needs_a_token(create_database: CreateDatabase):
    env = stdio_env(create_database(), "")
    env.pop("TODO_MCP_TOKEN")
    finished = subprocess.run(
        COMMAND, env=env, input=b"", capture_output=True, timeout=60, check=False
    )

    assert finished.returncode != 0
    assert b"TODO_MCP_TOKEN" in finished.stderr
