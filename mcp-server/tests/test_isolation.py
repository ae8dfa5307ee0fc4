"""Two users with their own tokens never see or change each other's tasks, on either face."""

import httpx2

from todo_testing.processes import ServiceProcess
from todo_testing.tokens import auth_header

from .conftest import mcp_client
from .test_mcp_tools import call, error


async def test_tools_never_cross_users(server: ServiceProcess, user: str, other_user: str):
    async with mcp_client(server.url, user) as alice, mcp_client(server.url, other_user) as bob:
        task_id = (await call(alice, "add_task", title="Alice's secret"))["task_id"]
        await call(bob, "add_task", title="Bob's task")

        assert [t["title"] for t in (await call(bob, "list_tasks"))["tasks"]] == ["Bob's task"]
        assert (await call(bob, "list_tasks", search="secret"))["count"] == 0
        for name, extra in [
            ("complete_task", {}),
            ("update_task", {"title": "pwned"}),
            ("delete_task", {}),
        ]:
            message = await error(bob, name, task_id=task_id, **extra)
            assert message.endswith(f"Task {task_id} not found")
            assert "Alice" not in message

        mine = (await call(alice, "list_tasks"))["tasks"]
    assert [(t["id"], t["title"], t["completed"]) for t in mine] == [
        (task_id, "Alice's secret", False)
    ]


async def test_rest_never_crosses_users(http: httpx2.AsyncClient, user: str, other_user: str):
    created = await http.post(
        f"/api/{user}/tasks", json={"title": "Mine"}, headers=auth_header(user)
    )
    task_id = created.json()["id"]
    base = f"/api/{other_user}/tasks/{task_id}"
    theirs = auth_header(other_user)

    responses = [
        await http.get(base, headers=theirs),
        await http.put(base, json={"title": "x"}, headers=theirs),
        await http.patch(base, json={"title": "x"}, headers=theirs),
        await http.patch(f"{base}/complete", headers=theirs),
        await http.delete(base, headers=theirs),
    ]
    listed = await http.get(f"/api/{other_user}/tasks", headers=theirs)
    mine = await http.get(f"/api/{user}/tasks/{task_id}", headers=auth_header(user))

    assert [r.status_code for r in responses] == [404] * 5
    assert all(r.json()["detail"] == f"Task {task_id} not found" for r in responses)
    assert listed.json()["tasks"] == []
    assert (mine.json()["title"], mine.json()["completed"]) == ("Mine", False)


async def test_both_faces_see_the_same_tasks(
    server: ServiceProcess, http: httpx2.AsyncClient, user: str
):
    await http.post(f"/api/{user}/tasks", json={"title": "From REST"}, headers=auth_header(user))
    async with mcp_client(server.url, user) as client:
        task_id = (await call(client, "add_task", title="From MCP"))["task_id"]
        await call(client, "complete_task", task_id=task_id)
        via_tool = (await call(client, "list_tasks"))["tasks"]
    via_rest = (await http.get(f"/api/{user}/tasks", headers=auth_header(user))).json()["tasks"]

    assert via_rest == via_tool
    assert [(t["title"], t["completed"]) for t in via_rest] == [
        ("From REST", False),
        ("From MCP", True),
    ]
