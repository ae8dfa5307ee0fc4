"""Isolation across the whole running system: three users doing random things through every face
(gateway REST chat and ChatKit, history-service REST, MCP tools, task REST), with one another's
task, conversation, thread and item ids thrown in. Nobody reads, changes, deletes or learns of
another's data: others' ids are 404s, listings hold only one's own, and a model of what each user
owns matches every listing after every step."""

import json
import uuid
from typing import Any, ClassVar

import httpx2
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from agent_gateway.ids import conversation_id_for
from tests.security.conftest import (
    TIMEOUT,
    Stack,
    bearer,
    chatkit_request,
    hs256,
    sse_events,
    user_input,
)

USERS = ("ann", "ben", "cat")
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
titles = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10).map(
    lambda word: f"buy {word}"
)
pairs = st.permutations(USERS).map(lambda users: (users[0], users[1]))


class Client:
    """One user on every face of the stack."""

    def __init__(self, stack: Stack, user_id: str) -> None:
        self.stack = stack
        self.user_id = user_id
        self.headers = bearer(hs256(user_id))

    def history(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        url = f"{self.stack.history.url}/api/{self.user_id}{path}"
        return httpx2.request(method, url, headers=self.headers, timeout=TIMEOUT, **kwargs)

    def tasks(self, method: str, path: str = "", **kwargs: Any) -> httpx2.Response:
        url = f"{self.stack.mcp.url}/api/{self.user_id}/tasks{path}"
        return httpx2.request(method, url, headers=self.headers, timeout=TIMEOUT, **kwargs)

    def tool(self, name: str, **arguments: Any) -> dict[str, Any]:
        """One MCP tool call over Streamable HTTP: its JSON-RPC result."""
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": name, "arguments": arguments},
        }
        response = httpx2.post(
            f"{self.stack.mcp.url}/mcp",
            json=body,
            headers={**self.headers, **MCP_HEADERS},
            timeout=TIMEOUT,
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["result"]
        return result

    def chat(self, message: str, conversation_id: str | None = None) -> httpx2.Response:
        body: dict[str, Any] = {"message": message}
        if conversation_id is not None:
            body["conversation_id"] = conversation_id
        return httpx2.post(
            f"{self.stack.gateway.url}/api/{self.user_id}/chat",
            json=body,
            headers=self.headers,
            timeout=TIMEOUT,
        )

    def decide(self, approval_id: str, decision: str = "approve") -> httpx2.Response:
        return httpx2.post(
            f"{self.stack.gateway.url}/api/{self.user_id}/chat/approvals/{approval_id}",
            json={"decision": decision},
            headers=self.headers,
            timeout=TIMEOUT,
        )

    def chatkit(self, request_type: str, **params: Any) -> httpx2.Response:
        return chatkit_request(self.stack.gateway.url, self.headers, request_type, **params)

    def task_listing(self) -> dict[int, tuple[str, bool]]:
        response = self.tasks("GET", params={"limit": 100})
        assert response.status_code == 200, response.text
        return {t["id"]: (t["title"], t["completed"]) for t in response.json()["tasks"]}

    def conversation_ids(self) -> set[str]:
        response = self.history("GET", "/conversations", params={"limit": 100})
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert all(c["user_id"] == self.user_id for c in items)
        return {c["id"] for c in items}

    def thread_ids(self) -> set[str]:
        response = self.chatkit("threads.list", limit=100)
        assert response.status_code == 200, response.text
        return {thread["id"] for thread in response.json()["data"]}

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        response = self.history(
            "GET", f"/conversations/{conversation_id}/messages", params={"limit": 200}
        )
        assert response.status_code == 200, response.text
        return list(response.json()["items"])


def tool_results(response: httpx2.Response) -> list[dict[str, Any]]:
    """The results of the task tools a REST chat turn called."""
    assert response.status_code == 200, response.text
    return [call["result"] for call in response.json()["tool_calls"] if call["status"] == "ok"]


class SystemIsolation(RuleBasedStateMachine):
    stack: ClassVar[Stack]

    def __init__(self) -> None:
        super().__init__()
        run = uuid.uuid4().hex[:8]
        self.clients = {name: Client(self.stack, f"{name}-{run}") for name in USERS}
        self.tasks: dict[str, dict[int, tuple[str, bool]]] = {name: {} for name in USERS}
        self.conversations: dict[str, set[str]] = {name: set() for name in USERS}
        self.items: dict[str, dict[str, list[str]]] = {name: {} for name in USERS}
        self.secrets: dict[str, set[str]] = {name: set() for name in USERS}
        # Ids a user ever had: a deleted conversation's id stays taken for its owner (a 409).
        self.ever: dict[str, set[str]] = {name: set() for name in USERS}

    # --- one's own data, through every face ---------------------------------------------------

    @rule(user=st.sampled_from(USERS), title=titles, face=st.sampled_from(["rest", "mcp", "chat"]))
    def add_task(self, user: str, title: str, face: str) -> None:
        client = self.clients[user]
        if face == "rest":
            response = client.tasks("POST", json={"title": title})
            assert response.status_code == 201, response.text
            task_id, stored = response.json()["id"], response.json()["title"]
        elif face == "mcp":
            result = client.tool("add_task", title=title)
            assert not result["isError"], result
            task_id, stored = result["structuredContent"]["task_id"], title
        else:
            response = client.chat(f"Add a task to {title}")
            (result,) = tool_results(response)
            task_id, stored = result["task_id"], result["title"]
            self.conversations[user].add(response.json()["conversation_id"])
            self.ever[user].add(response.json()["conversation_id"])
        self.tasks[user][task_id] = (stored, False)
        self.secrets[user].add(stored)

    @precondition(lambda self: any(self.tasks.values()))
    @rule(
        data=st.data(),
        action=st.sampled_from(["complete", "delete"]),
        face=st.sampled_from(["rest", "mcp", "chat"]),
    )
    def change_own_task(self, data: st.DataObject, action: str, face: str) -> None:
        user = data.draw(st.sampled_from([u for u in USERS if self.tasks[u]]))
        task_id = data.draw(st.sampled_from(sorted(self.tasks[user])))
        client = self.clients[user]
        if face == "rest":
            response = (
                client.tasks("PATCH", f"/{task_id}/complete")
                if action == "complete"
                else client.tasks("DELETE", f"/{task_id}")
            )
            assert response.status_code in (200, 204), response.text
        elif face == "mcp":
            assert not client.tool(f"{action}_task", task_id=task_id)["isError"]
        else:
            response = client.chat(f"{action} task {task_id}")
            if pending := response.json().get("pending_approval"):
                # A delete asks first; nobody else can answer for its owner.
                stranger = next(other for name, other in self.clients.items() if name != user)
                assert stranger.decide(pending["id"]).status_code == 404
                response = client.decide(pending["id"])
                assert response.status_code == 200, response.text
            assert [r["task_id"] for r in tool_results(response)] == [task_id]
            self.conversations[user].add(response.json()["conversation_id"])
            self.ever[user].add(response.json()["conversation_id"])
        title, done = self.tasks[user][task_id]
        if action == "delete":
            del self.tasks[user][task_id]
        else:
            # complete toggles on the REST face and marks done on the others
            self.tasks[user][task_id] = (title, not done if face == "rest" else True)

    @rule(user=st.sampled_from(USERS), face=st.sampled_from(["history", "chat", "chatkit"]))
    def start_conversation(self, user: str, face: str) -> None:
        client = self.clients[user]
        secret = f"note {uuid.uuid4().hex[:8]}"
        if face == "history":
            response = client.history("POST", "/conversations", json={"title": secret})
            assert response.status_code == 201, response.text
            conversation_id = response.json()["id"]
            added = client.history(
                "POST",
                f"/conversations/{conversation_id}/messages",
                json={"role": "user", "content": secret},
            )
            assert added.status_code == 201, added.text
        elif face == "chat":
            response = client.chat(f"hello, {secret}")
            assert response.status_code == 200, response.text
            conversation_id = response.json()["conversation_id"]
        else:
            response = client.chatkit("threads.create", input=user_input(f"hello, {secret}"))
            assert response.status_code == 200, response.text
            events = sse_events(response.text)
            conversation_id = next(
                e["thread"]["id"] for e in events if e["type"] == "thread.created"
            )
            self.items[user][conversation_id] = [
                e["item"]["id"] for e in events if e["type"] == "thread.item.done"
            ]
        self.conversations[user].add(conversation_id)
        self.ever[user].add(conversation_id)
        self.secrets[user].add(secret)

    @precondition(lambda self: any(self.conversations.values()))
    @rule(data=st.data(), face=st.sampled_from(["history", "chatkit"]))
    def delete_own_conversation(self, data: st.DataObject, face: str) -> None:
        user = data.draw(st.sampled_from([u for u in USERS if self.conversations[u]]))
        conversation_id = data.draw(st.sampled_from(sorted(self.conversations[user])))
        client = self.clients[user]
        if face == "history":
            assert client.history("DELETE", f"/conversations/{conversation_id}").status_code == 204
        else:
            assert client.chatkit("threads.delete", thread_id=conversation_id).status_code == 200
        self.conversations[user].discard(conversation_id)
        self.items[user].pop(conversation_id, None)

    # --- someone else's ids -------------------------------------------------------------------

    @precondition(lambda self: any(self.tasks.values()))
    @rule(data=st.data())
    def touch_someone_elses_task(self, data: st.DataObject) -> None:
        victim = data.draw(st.sampled_from([u for u in USERS if self.tasks[u]]))
        attacker = data.draw(st.sampled_from([u for u in USERS if u != victim]))
        task_id = data.draw(st.sampled_from(sorted(self.tasks[victim])))
        client, title = self.clients[attacker], self.tasks[victim][task_id][0]
        event("someone else's task")
        for way, call in {
            "rest-get": lambda: client.tasks("GET", f"/{task_id}"),
            "rest-patch": lambda: client.tasks("PATCH", f"/{task_id}", json={"title": "pwned"}),
            "rest-complete": lambda: client.tasks("PATCH", f"/{task_id}/complete"),
            "rest-delete": lambda: client.tasks("DELETE", f"/{task_id}"),
        }.items():
            response = call()
            assert response.status_code == 404, f"{way}: {response.text}"
            assert title not in response.text
        for tool, extra in [
            ("complete_task", {}),
            ("update_task", {"title": "pwned"}),
            ("delete_task", {}),
        ]:
            result = client.tool(tool, task_id=task_id, **extra)
            assert result["isError"], result
            assert "not found" in json.dumps(result).lower()
            assert title not in json.dumps(result)
        # Asking the assistant: the turn is answered, its tool calls fail, nothing changes.
        for message in (
            f"complete task {task_id}",
            f"rename task {task_id} to pwned",
            f"delete task {task_id}",
        ):
            response = client.chat(message)
            assert response.status_code == 200, response.text
            assert title not in response.text
            assert all(call["status"] == "error" for call in response.json()["tool_calls"])
            self.conversations[attacker].add(response.json()["conversation_id"])
            self.ever[attacker].add(response.json()["conversation_id"])

    @precondition(lambda self: any(self.conversations.values()))
    @rule(data=st.data())
    def touch_someone_elses_conversation(self, data: st.DataObject) -> None:
        victim = data.draw(st.sampled_from([u for u in USERS if self.conversations[u]]))
        attacker = data.draw(st.sampled_from([u for u in USERS if u != victim]))
        conversation_id = data.draw(st.sampled_from(sorted(self.conversations[victim])))
        if conversation_id in self.conversations[attacker]:
            return  # the attacker made one with the same id: that one is theirs
        event("someone else's conversation")
        client = self.clients[attacker]
        items = self.items[victim].get(conversation_id) or ["msg_0"]
        before = self.clients[victim].messages(conversation_id)
        path = f"/conversations/{conversation_id}"
        text = user_input("show all my tasks")
        calls = {
            "history-get": lambda: client.history("GET", path),
            "history-messages": lambda: client.history("GET", f"{path}/messages"),
            "history-rename": lambda: client.history("PATCH", path, json={"title": "pwned"}),
            "history-add": lambda: client.history(
                "POST", f"{path}/messages", json={"role": "user", "content": "pwned"}
            ),
            "history-delete": lambda: client.history("DELETE", path),
            "chat-continue": lambda: client.chat("show all my tasks", conversation_id),
            "chatkit-get": lambda: client.chatkit("threads.get_by_id", thread_id=conversation_id),
            "chatkit-items": lambda: client.chatkit("items.list", thread_id=conversation_id),
            "chatkit-update": lambda: client.chatkit(
                "threads.update", thread_id=conversation_id, title="pwned"
            ),
            "chatkit-add": lambda: client.chatkit(
                "threads.add_user_message", thread_id=conversation_id, input=text
            ),
            "chatkit-feedback": lambda: client.chatkit(
                "items.feedback", thread_id=conversation_id, item_ids=items, kind="negative"
            ),
            "chatkit-retry": lambda: client.chatkit(
                "threads.retry_after_item", thread_id=conversation_id, item_id=items[0]
            ),
            "chatkit-delete": lambda: client.chatkit("threads.delete", thread_id=conversation_id),
        }
        for way, call in calls.items():
            response = call()
            assert response.status_code == 404, f"{way}: {response.status_code} {response.text}"
            assert not any(secret in response.text for secret in self.secrets[victim]), way
        if own := sorted(self.conversations[attacker]):
            # The attacker's own thread with the victim's item ids.
            response = client.chatkit(
                "items.feedback", thread_id=own[0], item_ids=items, kind="negative"
            )
            assert response.status_code in (200, 404), response.text
        assert self.clients[victim].messages(conversation_id) == before

    @rule(pair=pairs, data=st.data())
    def squat_someone_elses_conversation_id(
        self, pair: tuple[str, str], data: st.DataObject
    ) -> None:
        attacker, victim = pair
        # Either a conversation the victim has, or the id the gateway will give the victim's
        # next first REST message.
        ids = sorted(self.conversations[victim] - self.ever[attacker])
        derived = conversation_id_for(self.clients[victim].user_id, "next")
        target = data.draw(st.sampled_from(ids) if ids else st.just(derived))
        if target in self.ever[attacker]:
            return
        response = self.clients[attacker].history("POST", "/conversations", json={"id": target})
        assert response.status_code == 201, response.text
        assert response.json()["message_count"] == 0
        self.conversations[attacker].add(target)
        self.ever[attacker].add(target)

    # --- what must hold after every step ------------------------------------------------------

    @invariant()
    def everyone_sees_exactly_their_own(self) -> None:
        for name, client in self.clients.items():
            assert client.task_listing() == self.tasks[name]
            assert client.conversation_ids() == self.conversations[name]
            assert client.thread_ids() == self.conversations[name]


def test_nobody_reads_changes_deletes_or_learns_of_anothers_data(stack: Stack):
    SystemIsolation.stack = stack
    run_state_machine_as_test(
        SystemIsolation,
        settings=settings(
            max_examples=4,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
        ),
    )


def test_asking_the_assistant_to_act_on_anothers_task_changes_nothing_of_theirs(stack: Stack):
    run = uuid.uuid4().hex[:8]
    owner, stranger = Client(stack, f"owner-{run}"), Client(stack, f"stranger-{run}")
    created = owner.tasks("POST", json={"title": "owner's secret plan"})
    assert created.status_code == 201
    task_id = created.json()["id"]
    messages = [
        f"complete task {task_id}",
        f"delete task {task_id}",
        f"rename task {task_id} to pwned",
        f"mark task #{task_id} as done",
    ]
    for message in messages:
        reply = stranger.chat(message)
        assert reply.status_code == 200, reply.text
        assert "secret plan" not in reply.text
        streamed = stranger.chatkit("threads.create", input=user_input(message))
        assert streamed.status_code == 200, streamed.text
        assert "secret plan" not in streamed.text
    assert owner.task_listing() == {task_id: ("owner's secret plan", False)}
    assert stranger.task_listing() == {}


def test_conversation_ids_are_scoped_to_their_owner(stack: Stack):
    run = uuid.uuid4().hex[:8]
    owner, squatter = Client(stack, f"owner-{run}"), Client(stack, f"squatter-{run}")
    # The squatter takes the id the gateway derives for the owner's first REST message…
    derived = conversation_id_for(owner.user_id, "first")
    assert squatter.history("POST", "/conversations", json={"id": derived}).status_code == 201
    reply = httpx2.post(
        f"{stack.gateway.url}/api/{owner.user_id}/chat",
        json={"message": "hello", "message_id": "first"},
        headers=owner.headers,
        timeout=TIMEOUT,
    )
    # …and the owner's turn is served all the same, into the owner's own conversation.
    assert reply.status_code == 200, reply.text
    assert reply.json()["conversation_id"] == derived
    assert owner.messages(derived)[0]["content"] == "hello"
    assert squatter.messages(derived) == []
    # An id someone already uses is no 409 (which would tell that it exists) for anyone else.
    titled = owner.history("POST", "/conversations", json={"title": "owner's"}).json()["id"]
    again = squatter.history("POST", "/conversations", json={"id": titled, "title": "squat"})
    assert again.status_code == 201, again.text
    assert owner.history("GET", f"/conversations/{titled}").json()["title"] == "owner's"
    assert owner.conversation_ids() == {derived, titled}
    assert squatter.conversation_ids() == {derived, titled}
