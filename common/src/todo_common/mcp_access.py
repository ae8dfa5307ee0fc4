"""What the task server's MCP endpoint asks of a bearer token: its audience and its scopes."""

DEFAULT_MCP_RESOURCE_URL = "http://127.0.0.1:8002/mcp"
"""MCP_RESOURCE_URL when unset: the local task server's endpoint, the `aud` its tokens carry."""

TASKS_READ = "tasks:read"
TASKS_WRITE = "tasks:write"
TASK_SCOPES = (TASKS_READ, TASKS_WRITE)
FULL_SCOPE = " ".join(TASK_SCOPES)
"""The `scope` claim of a first-party token (the web app's, todo-token's): every task tool."""
