"""Hostile input through the gateway's faces (every ChatKit op and the REST chat), against the real
processes: what cannot be stored is refused before anything is (no empty conversation left
behind), a 10,000-character message of any characters is answered, and an id outside the id
pattern never becomes part of a path to history-service."""

import json
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from agents import Model, ModelProvider
from agents.testing import ScriptedModel, assistant_message, function_call
from asgi_lifespan import LifespanManager

from agent_gateway.app import create_app
from agent_gateway.settings import Settings
from tests.gateway.chat_client import chatkit_stream, messages, new_user, tasks, user_input
from todo_testing.processes import ServiceProcess
from todo_testing.tokens import TEST_JWT_SECRET, auth_header

TIMEOUT = 60
MESSAGE_MAX = 10_000
BAD_IDS = [
    pytest.param("a/b", id="slash"),
    pytest.param("..", id="dot-dot"),
    pytest.param("%2F", id="encoded-slash"),
    pytest.param("a%2F..%2Fb", id="encoded-traversal"),
    pytest.param("../../x/conversations", id="traversal"),
    pytest.param("a\x00b", id="nul"),
    pytest.param("x" * 65, id="65-chars"),
    pytest.param("", id="empty"),
    pytest.param("a b?c=d#e", id="query-and-fragment"),
    pytest.param("é", id="non-ascii"),
]


def body(request_type: str, **params: Any) -> bytes:
    """A ChatKit request as JSON text (lone surrogates kept as `\\ud800` escapes)."""
    return json.dumps({"type": request_type, "params": params, "metadata": {}}).encode()


def post(url: str, user: str, content: bytes, path: str = "/chatkit") -> httpx2.Response:
    """POST exactly these bytes as `user`."""
    headers = {**auth_header(user), "content-type": "application/json"}
    return httpx2.post(f"{url}{path}", content=content, headers=headers, timeout=TIMEOUT)


def conversations(history_url: str, user: str) -> list[dict[str, Any]]:
    """The user's conversations, read from history-service."""
    response = httpx2.get(
        f"{history_url}/api/{user}/conversations",
        params={"limit": 100},
        headers=auth_header(user),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def field_names(response: httpx2.Response) -> list[str]:
    """The fields a problem document's `errors` name."""
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [error["field"] for error in response.json().get("errors") or []]


def events_of(response: httpx2.Response) -> list[dict[str, Any]]:
    """The SSE events of a streamed ChatKit answer."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return [
        json.loads(frame.removeprefix("data: "))
        for frame in response.text.split("\n\n")
        if frame.strip()
    ]


@dataclass
class Owner:
    """A user with one finished turn: its thread, and the ids of its items."""

    user: str
    thread_id: str
    item_ids: list[str]


@pytest.fixture(scope="module")
def owner(gateway_server: ServiceProcess, history_server: ServiceProcess) -> Owner:
    """A user with one thread, for the ops that name a thread or item."""
    user = new_user("owner")
    events = chatkit_stream(gateway_server.url, user, "threads.create", input=user_input("hello"))
    thread_id = events[0]["thread"]["id"]
    stored = messages(history_server.url, user, thread_id)
    return Owner(user, thread_id, [message["id"] for message in stored])


UNSTORABLE_INPUTS = [
    pytest.param(user_input("a\x00b"), "params.input", id="nul-in-text"),
    pytest.param(user_input("x" * (MESSAGE_MAX + 1)), "params.input.content", id="10001-chars"),
    pytest.param(user_input(""), "params.input.content", id="empty"),
    pytest.param({**user_input("hi"), "quoted_text": "a\x00"}, "params.input", id="nul-quoted"),
    pytest.param(
        {**user_input("hi"), "inference_options": {"model": "a\x00"}},
        "params.input",
        id="nul-in-options",
    ),
    pytest.param(
        {**user_input("hi"), "attachments": ["att_1"]},
        "params.input.attachments",
        id="attachment",
    ),
    pytest.param(
        {
            **user_input(""),
            "content": [{"type": "input_tag", "id": "t", "text": "x", "data": {"n": 2**64}}],
        },
        "params.input",
        id="integer-beyond-64-bits",
    ),
    pytest.param(
        {
            **user_input(""),
            "content": [
                {
                    "type": "input_tag",
                    "id": "t",
                    "text": "x",
                    "data": {"n": json.loads("[" * 40 + "]" * 40)},
                }
            ],
        },
        "params.input",
        id="nested-40-deep",
    ),
    pytest.param(user_input("a\ud800b"), "body", id="lone-surrogate"),
    pytest.param(
        {**user_input("hi"), "content": [{"type": "input_text", "text": "ok", "\ud800": 1}]},
        None,
        id="lone-surrogate-key",
    ),
]


@pytest.mark.parametrize(("user_message", "field"), UNSTORABLE_INPUTS)
def test_a_new_thread_whose_message_cannot_be_stored_is_422_and_leaves_no_conversation(
    gateway_server: ServiceProcess,
    history_server: ServiceProcess,
    user_message: dict[str, Any],
    field: str | None,
):
    user = new_user()
    response = post(gateway_server.url, user, body("threads.create", input=user_message))

    assert response.status_code == 422, response.text
    names = field_names(response)
    if field is not None:
        assert field in names, names
    assert conversations(history_server.url, user) == []


@pytest.mark.parametrize(("user_message", "field"), UNSTORABLE_INPUTS)
def test_a_message_added_that_cannot_be_stored_is_422_and_adds_nothing(
    gateway_server: ServiceProcess,
    history_server: ServiceProcess,
    owner: Owner,
    user_message: dict[str, Any],
    field: str | None,
):
    before = messages(history_server.url, owner.user, owner.thread_id)
    request = body("threads.add_user_message", thread_id=owner.thread_id, input=user_message)
    response = post(gateway_server.url, owner.user, request)

    assert response.status_code == 422, response.text
    if field is not None:
        assert field in field_names(response)
    assert messages(history_server.url, owner.user, owner.thread_id) == before


LONG_MESSAGES = [
    pytest.param("😀" * MESSAGE_MAX, id="4-byte-emoji"),
    pytest.param("中" * MESSAGE_MAX, id="cjk"),
    # Ten characters: RTL override and mark, é, a ZWJ sequence, a combining accent, Hebrew.
    pytest.param("a\u202eb\u200f\u00e9\U0001f469\u200d\U0001f467\u0301\u05d0" * 1_000, id="mixed"),
]


@pytest.mark.parametrize("text", LONG_MESSAGES)
def test_a_10000_character_chatkit_message_of_any_kind_is_answered_and_stored_exactly(
    gateway_server: ServiceProcess, history_server: ServiceProcess, text: str
):
    assert len(text) == MESSAGE_MAX
    user = new_user()
    response = post(gateway_server.url, user, body("threads.create", input=user_input(text)))
    events = events_of(response)

    assert [event for event in events if event["type"] == "error"] == []
    assert events[-1]["type"] == "thread.item.done"
    assert events[-1]["item"]["type"] == "assistant_message"
    stored = messages(history_server.url, user, events[0]["thread"]["id"])
    assert (stored[0]["role"], stored[0]["content"]) == ("user", text)


@pytest.mark.parametrize("text", LONG_MESSAGES)
def test_a_10000_character_rest_message_of_any_kind_is_answered_and_stored_exactly(
    gateway_server: ServiceProcess, history_server: ServiceProcess, text: str
):
    user = new_user()
    response = post(
        gateway_server.url, user, json.dumps({"message": text}).encode(), f"/api/{user}/chat"
    )

    assert response.status_code == 200, response.text
    stored = messages(history_server.url, user, response.json()["conversation_id"])
    assert stored[0]["content"] == text
    assert stored[-1]["role"] == "assistant"


@pytest.mark.parametrize(
    ("chat_body", "field"),
    [
        pytest.param({"message": "a\x00b"}, "message", id="nul"),
        pytest.param({"message": "a\ud800b"}, "message", id="lone-surrogate"),
        pytest.param({"message": "x" * (MESSAGE_MAX + 1)}, "message", id="10001-chars"),
        pytest.param({"message": " \n "}, "message", id="blank"),
        pytest.param({"message": 5}, "message", id="number"),
        pytest.param({"message": {"a": [[["deep"]]]}}, "message", id="object"),
        pytest.param({"message": "hi", "conversation_id": "../x"}, "conversation_id", id="dots"),
        pytest.param({"message": "hi", "conversation_id": "a/b"}, "conversation_id", id="slash"),
        pytest.param({"message": "hi", "conversation_id": "%2F"}, "conversation_id", id="pct"),
        pytest.param({"message": "hi", "conversation_id": "a\x00"}, "conversation_id", id="c-nul"),
        pytest.param({"message": "hi", "message_id": "a/../b"}, "message_id", id="message-id"),
        pytest.param({"message": "hi", "extra": 2**64}, "extra", id="unknown-field"),
    ],
)
def test_a_rest_chat_body_that_cannot_be_stored_is_422_naming_the_field(
    gateway_server: ServiceProcess,
    history_server: ServiceProcess,
    chat_body: dict[str, Any],
    field: str,
):
    user = new_user()
    response = post(gateway_server.url, user, json.dumps(chat_body).encode(), f"/api/{user}/chat")

    assert response.status_code == 422, response.text
    assert field in field_names(response)
    assert conversations(history_server.url, user) == []


def id_ops(thread_id: str, item_id: str, bad: str) -> list[tuple[str, dict[str, Any]]]:
    """Every ChatKit op that names a thread or item, with `bad` in each id position."""
    text = user_input("hi")
    return [
        ("threads.get_by_id", {"thread_id": bad}),
        ("threads.update", {"thread_id": bad, "title": "renamed"}),
        ("threads.delete", {"thread_id": bad}),
        ("items.list", {"thread_id": bad}),
        ("items.feedback", {"thread_id": bad, "item_ids": [item_id], "kind": "positive"}),
        ("threads.add_user_message", {"thread_id": bad, "input": text}),
        ("threads.retry_after_item", {"thread_id": bad, "item_id": item_id}),
        ("threads.retry_after_item", {"thread_id": thread_id, "item_id": bad}),
        ("threads.custom_action", {"thread_id": bad, "action": {"type": "x", "payload": {}}}),
    ]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_id_outside_the_pattern_is_404_on_every_op_and_changes_nothing(
    gateway_server: ServiceProcess, history_server: ServiceProcess, owner: Owner, bad: str
):
    before = messages(history_server.url, owner.user, owner.thread_id)
    for request_type, params in id_ops(owner.thread_id, owner.item_ids[0], bad):
        response = post(gateway_server.url, owner.user, body(request_type, **params))
        assert response.status_code == 404, (request_type, response.text)
        assert response.headers["content-type"] == "application/problem+json"

    # Feedback on an item id that names nothing is ignored, like feedback on a deleted item.
    feedback = body("items.feedback", thread_id=owner.thread_id, item_ids=[bad], kind="negative")
    assert post(gateway_server.url, owner.user, feedback).status_code == 200
    assert messages(history_server.url, owner.user, owner.thread_id) == before
    assert [c["id"] for c in conversations(history_server.url, owner.user)] == [owner.thread_id]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_item_cursor_outside_the_pattern_is_422_naming_it(
    gateway_server: ServiceProcess, owner: Owner, bad: str
):
    items = body("items.list", thread_id=owner.thread_id, after=bad)
    threads = body("threads.list", after=bad)

    items_response = post(gateway_server.url, owner.user, items)
    threads_response = post(gateway_server.url, owner.user, threads)

    if bad:  # an empty `after` is no cursor at all: the first page
        assert items_response.status_code == 422, items_response.text
        assert "after" in field_names(items_response)
        assert threads_response.status_code == 422, threads_response.text
        assert "cursor" in field_names(threads_response)
    else:
        assert (items_response.status_code, threads_response.status_code) == (200, 200)


def test_an_id_that_spells_a_path_to_another_users_thread_reaches_nothing(
    gateway_server: ServiceProcess, history_server: ServiceProcess, owner: Owner
):
    attacker = new_user("attacker")
    target = f"{owner.user}/conversations/{owner.thread_id}"
    before = messages(history_server.url, owner.user, owner.thread_id)
    for spelled in (f"../../{target}", f"..%2F..%2F{target}", f"%2E%2E/%2E%2E/{target}"):
        for request_type, params in id_ops(owner.thread_id, owner.item_ids[0], spelled):
            response = post(gateway_server.url, attacker, body(request_type, **params))
            assert response.status_code == 404, (request_type, response.text)
            assert owner.thread_id not in response.text

    assert messages(history_server.url, owner.user, owner.thread_id) == before
    assert [c["id"] for c in conversations(history_server.url, owner.user)] == [owner.thread_id]


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("a\x00b", id="nul"),
        pytest.param("a\ud800b", id="lone-surrogate"),
        pytest.param("x" * 100_000, id="100000-chars"),
        pytest.param(5, id="number"),
        pytest.param(["a"], id="list"),
    ],
)
def test_a_thread_title_that_cannot_be_stored_is_422_and_renames_nothing(
    gateway_server: ServiceProcess, history_server: ServiceProcess, owner: Owner, title: Any
):
    before = conversations(history_server.url, owner.user)
    request = body("threads.update", thread_id=owner.thread_id, title=title)
    response = post(gateway_server.url, owner.user, request)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert conversations(history_server.url, owner.user) == before


def test_feedback_names_at_most_the_configured_number_of_items(
    gateway_server: ServiceProcess, history_server: ServiceProcess, owner: Owner
):
    item = owner.item_ids[0]
    too_many = body(
        "items.feedback", thread_id=owner.thread_id, item_ids=[item] * 101, kind="positive"
    )
    most = body("items.feedback", thread_id=owner.thread_id, item_ids=[item] * 100, kind="positive")

    refused = post(gateway_server.url, owner.user, too_many)
    accepted = post(gateway_server.url, owner.user, most)

    assert refused.status_code == 422, refused.text
    assert "params.item_ids" in field_names(refused)
    assert accepted.status_code == 200, accepted.text
    [stored] = [
        m for m in messages(history_server.url, owner.user, owner.thread_id) if m["id"] == item
    ]
    assert stored["metadata"]["feedback"] == "positive"


@pytest.mark.parametrize("limit", [2**64, 2**31, 10**6, 101])
def test_a_huge_page_limit_is_capped(gateway_server: ServiceProcess, owner: Owner, limit: int):
    threads = post(gateway_server.url, owner.user, body("threads.list", limit=limit))
    items = post(
        gateway_server.url, owner.user, body("items.list", thread_id=owner.thread_id, limit=limit)
    )

    assert threads.status_code == 200, threads.text
    assert [t["id"] for t in threads.json()["data"]] == [owner.thread_id]
    assert items.status_code == 200, items.text
    assert [i["id"] for i in items.json()["data"]] == owner.item_ids[::-1]  # newest first


@pytest.mark.parametrize("limit", [-1, -(2**64), 1.5, "ten", [5]])
def test_a_page_limit_that_is_no_count_is_422(
    gateway_server: ServiceProcess, owner: Owner, limit: Any
):
    threads = post(gateway_server.url, owner.user, body("threads.list", limit=limit))
    items = post(
        gateway_server.url, owner.user, body("items.list", thread_id=owner.thread_id, limit=limit)
    )

    assert (threads.status_code, items.status_code) == (422, 422), (threads.text, items.text)


@pytest.mark.parametrize("subject", ["..", ".", "a%2Fb", "a?b#c", "%00", "a/b", "x/../y"])
def test_a_token_subject_with_path_characters_stays_one_path_segment(
    gateway_server: ServiceProcess, history_server: ServiceProcess, owner: Owner, subject: str
):
    # The user id comes from the token and is quoted into history-service's paths as one segment:
    # `..` is a user like any other, not a step up. history-service decodes %2F before routing,
    # so a subject with a `/` names no route there: 404, never someone else's data.
    created = post(gateway_server.url, subject, body("threads.create", input=user_input("hi")))
    listed = post(gateway_server.url, subject, body("threads.list"))

    if "/" in subject:
        assert (created.status_code, listed.status_code) == (404, 404), created.text
    else:
        thread_id = events_of(created)[0]["thread"]["id"]
        assert listed.status_code == 200, listed.text
        # (other suites of the session may be `..` too: only its own thread is checked for)
        assert thread_id in [thread["id"] for thread in listed.json()["data"]]
    assert owner.thread_id not in listed.text + created.text
    assert [c["id"] for c in conversations(history_server.url, owner.user)] == [owner.thread_id]


class Scripted(ModelProvider):
    """The one stand-in: a model that makes exactly the tool call a test scripts."""

    def __init__(self, model: ScriptedModel) -> None:
        self.model = model

    def get_model(self, model_name: str | None) -> Model:
        return self.model


async def scripted_turn(
    history: ServiceProcess, mcp: ServiceProcess, user: str, arguments: str
) -> httpx2.Response:
    """A REST turn in which the model calls add_task with this JSON text as its arguments."""
    model = ScriptedModel(
        [[function_call("add_task", arguments, call_id="call_1")], [assistant_message("Done.")]]
    )
    settings = Settings(
        app_env="test",
        auth_jwt_secret=TEST_JWT_SECRET,
        history_service_url=history.url,
        mcp_server_url=f"{mcp.url}/mcp",
    )
    async with LifespanManager(create_app(settings, Scripted(model))) as manager:
        transport = httpx2.ASGITransport(app=manager.app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://gateway") as client:
            return await client.post(
                f"/api/{user}/chat", json={"message": "add it"}, headers=auth_header(user)
            )


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(r'{"title": "a\u0000b"}', id="nul"),
        pytest.param('{"title": "ok", "due_date": 18446744073709551616}', id="beyond-64-bits"),
        pytest.param('{"title": ' + "[" * 40 + "]" * 40 + "}", id="40-deep"),
    ],
)
async def test_tool_arguments_the_model_makes_unstorable_are_a_tool_error_the_turn_survives(
    history_server: ServiceProcess, mcp_server: ServiceProcess, arguments: str
):
    user = new_user()
    response = await scripted_turn(history_server, mcp_server, user, arguments)

    assert response.status_code == 200, response.text
    [call] = response.json()["tool_calls"]
    assert call["status"] == "error"
    assert call["result"].startswith("Invalid arguments")
    stored = messages(history_server.url, user, response.json()["conversation_id"])
    assert [m["role"] for m in stored] == ["user", "tool", "assistant"]
    assert stored[1]["tool_calls"][0]["arguments"] == arguments  # kept as the model sent it
    assert tasks(mcp_server.url, user) == []


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(r'{"title": "a\ud800b"}', id="lone-surrogate"),
        pytest.param(r'{"title": "ok", "\udfff": 1}', id="lone-surrogate-key"),
        pytest.param('{"title": ' + "[" * 100_000 + "]" * 100_000 + "}", id="100000-deep"),
    ],
)
async def test_tool_arguments_the_agents_sdk_cannot_read_fail_the_turn_cleanly(
    history_server: ServiceProcess, mcp_server: ServiceProcess, arguments: str
):
    # The Agents SDK re-reads the arguments before any tool runs and fails on these: the model's
    # answer is unusable, a 502 problem; the user's message stays stored for a retry.
    user = new_user()
    response = await scripted_turn(history_server, mcp_server, user, arguments)

    assert response.status_code == 502, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert tasks(mcp_server.url, user) == []
