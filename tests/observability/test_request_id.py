"""X-Request-ID: one chat turn's id shows up in the logs of all three service processes."""

import uuid

import httpx2

from todo_testing.postgres import wait_for
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import auth_header


def lines_with(server: ServiceProcess, request_id: str) -> list[str]:
    """The log lines of `server` that carry `request_id`."""
    return [line for line in server.logs().splitlines() if request_id in line]


def test_a_chat_turns_request_id_is_in_every_services_log(
    gateway_server: ServiceProcess, history_server: ServiceProcess, mcp_server: ServiceProcess
) -> None:
    request_id = f"obs-{uuid.uuid4().hex}"
    user = f"obs-{uuid.uuid4().hex[:12]}"
    response = httpx2.post(
        f"{gateway_server.url}/api/{user}/chat",
        json={"message": "Add a task to buy milk"},
        headers={**auth_header(user), "X-Request-ID": request_id},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert response.headers["X-Request-ID"] == request_id
    assert [call["name"] for call in response.json()["tool_calls"]] == ["add_task"]

    expected = {
        gateway_server: f"/api/{user}/chat",
        history_server: f"/api/{user}/conversations",
        mcp_server: "/mcp",
    }
    for server, path in expected.items():
        wait_for(
            lambda server=server, path=path: any(
                path in line for line in lines_with(server, request_id)
            ),
            timeout=15,
            what=f"{request_id} on a {path} line of {server.module}'s log",
        )
