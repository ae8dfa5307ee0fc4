"""Hostile bodies, numbers, text and ids on every face of the running services: each is either
stored and returned exactly or refused with a problem naming the field; never a 5xx, and nothing
of another user comes back."""

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx2
import pytest

from tests.security.conftest import (
    TIMEOUT,
    Keys,
    Stack,
    Victim,
    bearer,
    chatkit_request,
    hs256,
    new_user,
    raw_request,
    rs256,
    sse_events,
    status_of,
    user_input,
)

PROBLEM = "application/problem+json"


def dumps(value: Any) -> bytes:
    """JSON as a hostile client sends it: lone surrogates as `\\ud800` escapes."""
    return json.dumps(value, ensure_ascii=True).encode()


@dataclass
class Caller:
    """A user of the stack with their own token."""

    stack: Stack
    user_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)

    def send(
        self, service: str, method: str, path: str, body: bytes | None = None, **params: Any
    ) -> httpx2.Response:
        headers = {**self.headers}
        if body is not None:
            headers["Content-Type"] = "application/json"
        return httpx2.request(
            method,
            self.stack.services[service].url + path.format(user=self.user_id),
            content=body,
            params=params or None,
            headers=headers,
            timeout=TIMEOUT,
        )

    def json(self, service: str, method: str, path: str, value: Any) -> httpx2.Response:
        return self.send(service, method, path, dumps(value))


@pytest.fixture(scope="module")
def caller(stack: Stack, keys: Keys) -> Caller:
    user = new_user("attacker")
    return Caller(stack, user, rs256(keys, user))


@pytest.fixture(scope="module")
def conversation(caller: Caller) -> str:
    response = caller.json("history", "POST", "/api/{user}/conversations", {})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def assert_refused(
    response: httpx2.Response, status: int, field: str | None = None, *, or_body: bool = False
) -> None:
    """A problem document with this status that, for a 422, names `field` (or, with `or_body`,
    the whole body: a JSON parser that refuses the document cannot point inside it)."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    if field is not None:
        problem = response.json()
        named = [error["field"] for error in problem.get("errors") or []]
        accepted = (field, "body") if or_body else (field,)
        assert any(want in name for name in named for want in accepted), (field, problem)


# Every JSON endpoint, with a body it accepts, so only the attack decides the outcome.
JSON_ENDPOINTS = {
    "history.create_conversation": ("history", "POST", "/api/{user}/conversations", {}),
    "history.add_message": (
        "history",
        "POST",
        "/api/{user}/conversations/{conversation}/messages",
        {"role": "user", "content": "hi"},
    ),
    "tasks.create": ("mcp", "POST", "/api/{user}/tasks", {"title": "t"}),
    "gateway.rest_chat": ("gateway", "POST", "/api/{user}/chat", {"message": "hi"}),
    "gateway.chatkit": (
        "gateway",
        "POST",
        "/chatkit",
        {"type": "threads.list", "params": {"limit": 5}, "metadata": {}},
    ),
}


def endpoint_path(name: str, conversation: str) -> tuple[str, str, str, dict[str, Any]]:
    service, method, path, body = SIZED_ENDPOINTS[name]
    return service, method, path.replace("{conversation}", conversation), body


TWO_MIB = 2 * 1024 * 1024
# The MCP endpoint's bad JSON is the SDK's JSON-RPC error, not a problem document; its size limit
# is the same as everywhere else.
SIZED_ENDPOINTS = {
    **JSON_ENDPOINTS,
    "mcp.tools": (
        "mcp",
        "POST",
        "/mcp",
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "list_tasks"}},
    ),
}


@pytest.mark.parametrize("name", list(SIZED_ENDPOINTS))
def test_an_oversized_body_is_a_413_problem(name: str, caller: Caller, conversation: str):
    service, method, path, body = endpoint_path(name, conversation)
    padded = {**body, "metadata": {"pad": "x" * TWO_MIB}}
    assert_refused(caller.json(service, method, path, padded), 413)


@pytest.mark.parametrize("name", list(SIZED_ENDPOINTS))
def test_a_huge_content_length_is_answered_before_the_body_arrives(
    name: str, caller: Caller, conversation: str
):
    service, method, path, _ = endpoint_path(name, conversation)
    head = (
        f"{method} {path.format(user=caller.user_id)} HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {caller.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {50 * 1024 * 1024}\r\nConnection: close\r\n\r\n"
    ).encode()
    # Only the first bytes of the 50 MB are ever sent: a reply can come only from a server that
    # decided without reading the body.
    reply = raw_request(caller.stack.services[service].port, head, b'{"a": "' + b"x" * 1000)
    assert status_of(reply) == 413, reply[:300]


def test_chatkit_checks_the_token_before_reading_the_body(caller: Caller):
    head = (
        b"POST /chatkit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 500000\r\nConnection: close\r\n\r\n"
    )
    reply = raw_request(caller.stack.gateway.port, head, b'{"type": "threads.list", ')
    assert status_of(reply) == 401, reply[:300]


MALFORMED = {
    "truncated": b'{"title": ',
    "not_json": b"hello",
    "invalid_utf8": b'{"title": "\xff\xfe"}',
    "trailing_garbage": b'{"title": "x"} {}',
    "nan": b'{"title": NaN}',
    "deep_arrays": b"[" * 100_000,
    "deep_objects": b'{"a":' * 50_000,
    "deep_but_closed": b'{"metadata": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
}


@pytest.mark.parametrize("name", list(JSON_ENDPOINTS))
def test_malformed_and_deeply_nested_json_is_refused(name: str, caller: Caller, conversation: str):
    service, method, path, _ = endpoint_path(name, conversation)
    wrong = []
    for kind, body in MALFORMED.items():
        response = caller.send(service, method, path, body)
        # A 422 problem document, whether the JSON does not parse, is not text or nests too
        # deeply to parse.
        if response.status_code != 422 or not response.headers["content-type"].startswith(PROBLEM):
            wrong.append(f"{kind}: {response.status_code} {response.text[:200]}")
    assert wrong == [], "\n".join(wrong)


WRONG_TYPES = [
    ("history", "POST", "/api/{user}/conversations", {"title": 5}, "title"),
    ("history", "POST", "/api/{user}/conversations", {"id": ["a"]}, "id"),
    ("history", "POST", "/api/{user}/conversations", [], "body"),
    ("history", "POST", "/api/{user}/conversations/{c}/messages", {"role": "root", "content": "x"}, "role"),
    ("history", "POST", "/api/{user}/conversations/{c}/messages", {"role": "user", "content": 5}, "content"),
    ("history", "POST", "/api/{user}/conversations/{c}/messages", {"role": "user", "content": "x", "metadata": [1]}, "metadata"),
    ("history", "POST", "/api/{user}/conversations/{c}/messages", {"role": "assistant", "content": "x", "tool_calls": "all"}, "tool_calls"),
    ("history", "POST", "/api/{user}/conversations/{c}/messages", {"role": "assistant", "content": "x", "tool_calls": [{"id": 5, "name": "x"}]}, "tool_calls"),
    ("history", "PATCH", "/api/{user}/conversations/{c}", {"title": {"a": 1}}, "title"),
    ("mcp", "POST", "/api/{user}/tasks", {"title": 5}, "title"),
    ("mcp", "POST", "/api/{user}/tasks", {"title": "x", "priority": 7}, "priority"),
    ("mcp", "POST", "/api/{user}/tasks", {"title": "x", "tags": "a"}, "tags"),
    ("mcp", "POST", "/api/{user}/tasks", {"title": "x", "due_date": 12}, "due_date"),
    ("mcp", "POST", "/api/{user}/tasks", {"title": "x", "due_date": "yesterday"}, "due_date"),
    ("mcp", "POST", "/api/{user}/tasks", "a task", "body"),
    ("gateway", "POST", "/api/{user}/chat", {"message": 5}, "message"),
    ("gateway", "POST", "/api/{user}/chat", {"message": "x", "conversation_id": 5}, "conversation_id"),
    ("gateway", "POST", "/api/{user}/chat", {"message": "x", "message_id": []}, "message_id"),
    ("gateway", "POST", "/api/{user}/chat", ["x"], "body"),
    ("gateway", "POST", "/chatkit", {"type": "threads.create", "params": {"input": 5}}, "input"),
    ("gateway", "POST", "/chatkit", {"type": "threads.list", "params": {"limit": "many"}}, "limit"),
    ("gateway", "POST", "/chatkit", {"type": "items.feedback", "params": {"thread_id": "t", "item_ids": "i", "kind": "x"}}, "item_ids"),
    ("gateway", "POST", "/chatkit", [1, 2], "body"),
]  # fmt: skip


@pytest.mark.parametrize(("service", "method", "path", "body", "field"), WRONG_TYPES)
def test_a_wrong_type_is_a_422_naming_the_field(
    service: str, method: str, path: str, body: Any, field: str, caller: Caller, conversation: str
):
    response = caller.json(service, method, path.replace("{c}", conversation), body)
    assert_refused(response, 422, field)


BIG = 2**64


@pytest.mark.parametrize(
    ("service", "path", "params", "field"),
    [
        ("history", "/api/{user}/conversations", {"limit": str(BIG)}, "limit"),
        ("history", "/api/{user}/conversations", {"limit": "1e400"}, "limit"),
        ("history", "/api/{user}/conversations/{c}/messages", {"limit": "-1"}, "limit"),
        ("mcp", "/api/{user}/tasks", {"limit": str(BIG)}, "limit"),
        ("mcp", "/api/{user}/tasks", {"limit": "NaN"}, "limit"),
    ],
)
def test_an_out_of_range_query_number_is_a_422(
    service: str, path: str, params: dict[str, str], field: str, caller: Caller, conversation: str
):
    response = caller.send(service, "GET", path.replace("{c}", conversation), **params)
    assert_refused(response, 422, field)


@pytest.mark.parametrize("task_id", [str(BIG), str(2**63), "-1", "0", "1e400", "99" * 40])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_out_of_range_task_id_names_no_task(method: str, task_id: str, caller: Caller):
    body = dumps({"title": "x"}) if method == "PATCH" else None
    response = caller.send("mcp", method, f"/api/{{user}}/tasks/{task_id}", body)
    assert response.status_code in (404, 422), response.text
    assert response.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    "number", [BIG, -BIG, 10**400, 1.5e308], ids=["2**64", "-2**64", "10**400", "1.5e308"]
)
def test_a_huge_number_in_metadata_is_stored_exactly_or_refused(
    number: int | float, caller: Caller, conversation: str
):
    body = {"role": "user", "content": "n", "metadata": {"n": number, "nested": [number]}}
    response = caller.json(
        "history", "POST", f"/api/{{user}}/conversations/{conversation}/messages", body
    )
    if response.status_code == 422:
        assert_refused(response, 422, "metadata")
        return
    assert response.status_code == 201, response.text
    stored = caller.send(
        "history",
        "GET",
        f"/api/{{user}}/conversations/{conversation}/messages/{response.json()['id']}",
    )
    assert stored.json()["metadata"] == body["metadata"]


def test_infinity_in_metadata_or_a_tool_call_is_a_422(caller: Caller, conversation: str):
    path = f"/api/{{user}}/conversations/{conversation}/messages"
    cases = {
        "metadata": {"role": "user", "content": "x", "metadata": {"n": 1e400}},
        "tool_calls": {
            "role": "assistant",
            "content": "x",
            "tool_calls": [{"id": "c", "name": "n", "arguments": {"n": 1e400}}],
        },
    }
    for field, body in cases.items():
        # json.dumps writes 1e400 (float inf) as Infinity, which is not JSON: write it by hand.
        raw = dumps(body).replace(b"Infinity", b"1e400")
        assert_refused(caller.send("history", "POST", path, raw), 422, field)


def test_an_out_of_range_task_id_in_a_tool_call_is_a_tool_error(caller: Caller):
    for task_id in (BIG, -1, 10**30):
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "complete_task", "arguments": {"task_id": task_id}},
        }
        response = httpx2.post(
            f"{caller.stack.mcp.url}/mcp",
            content=dumps(body),
            headers={
                **caller.headers,
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
            },
            timeout=TIMEOUT,
        )
        assert response.status_code == 200, response.text
        assert response.json()["result"]["isError"] is True, response.text


# ------------------------------------------------------------------------------------------------
# Unicode edge cases, in every string field

TEXTS = {
    "nul": "a\x00b",
    "lone_high_surrogate": "a\ud800b",
    "lone_low_surrogate": "\udc00z",
    "rtl_override": "\u202egnp.exe",
    "emoji_4_byte": "\U0001f600\U0001f389 \U0001f469\u200d\U0001f469\u200d\U0001f467",
    "combining_marks": "e\u0301\u0327 Z\u0351\u0352\u0353",
    "zero_width": "x\u200b\u200dy\ufeffz",
    "noncharacter": "\uffff \U0010ffff",
}


SURROGATES = {"lone_high_surrogate", "lone_low_surrogate"}


def stored_or_refused(response: httpx2.Response, field: str, *, or_body: bool = False) -> bool:
    """True when stored (2xx); asserts that anything else is a 422 problem naming the field."""
    if response.status_code in (200, 201):
        return True
    assert_refused(response, 422, field, or_body=or_body)
    return False


@pytest.mark.parametrize("text", list(TEXTS))
def test_history_text_fields_keep_unicode_exactly_or_refuse_it(
    text: str, caller: Caller, conversation: str
):
    value = TEXTS[text]
    created = caller.json("history", "POST", "/api/{user}/conversations", {"title": f"t{value}"})
    if stored_or_refused(created, "title"):
        again = caller.send("history", "GET", f"/api/{{user}}/conversations/{created.json()['id']}")
        assert again.json()["title"] == f"t{value}"

    path = f"/api/{{user}}/conversations/{conversation}/messages"
    messages = {
        "content": {"role": "user", "content": value},
        "metadata": {"role": "user", "content": "m", "metadata": {"v": value, value: [value]}},
        "tool_calls": {
            "role": "assistant",
            "content": "c",
            "tool_calls": [
                {"id": "call-1", "name": "add_task", "arguments": {value: value}, "result": value}
            ],
        },
        "tool_calls.0.arguments": {
            "role": "assistant",
            "content": "c",
            "tool_calls": [{"id": "call-2", "name": "add_task", "arguments": value}],
        },
    }
    for field, body in messages.items():
        response = caller.json("history", "POST", path, body)
        if stored_or_refused(response, field.split(".")[0]):
            stored = caller.send("history", "GET", f"{path}/{response.json()['id']}").json()
            for key in ("content", "metadata", "tool_calls"):
                if key in body:
                    got = stored[key]
                    if key == "tool_calls":
                        got = [{k: call[k] for k in body[key][0]} for call in got]
                    assert got == body[key], (field, got)


@pytest.mark.parametrize("text", list(TEXTS))
def test_task_text_fields_keep_unicode_exactly_or_refuse_it(text: str, caller: Caller):
    value = TEXTS[text]
    for field, body in {
        "title": {"title": f"t{value}"},
        "description": {"title": "d", "description": f"d{value}"},
        "tags": {"title": "g", "tags": [f"g{value}"]},
    }.items():
        response = caller.json("mcp", "POST", "/api/{user}/tasks", body)
        if stored_or_refused(response, field):
            stored = caller.send("mcp", "GET", f"/api/{{user}}/tasks/{response.json()['id']}")
            assert stored.json()[field] == body[field], field
    # A lone surrogate has no UTF-8 form: it goes as the bytes a careless encoder writes.
    query = quote(value.encode("utf-8", "surrogatepass"))
    searched = caller.send("mcp", "GET", f"/api/{{user}}/tasks?search={query}")
    if stored_or_refused(searched, "search"):
        assert all(task["title"] != "t" for task in searched.json()["tasks"])


@pytest.mark.parametrize("text", list(TEXTS))
def test_a_rest_chat_message_keeps_unicode_exactly_or_refuses_it(text: str, caller: Caller):
    message = f"remember {TEXTS[text]}"
    response = caller.json("gateway", "POST", "/api/{user}/chat", {"message": message})
    if stored_or_refused(response, "message"):
        conversation_id = response.json()["conversation_id"]
        stored = caller.send(
            "history", "GET", f"/api/{{user}}/conversations/{conversation_id}/messages"
        )
        assert stored.status_code == 200, stored.text
        assert stored.json()["items"][0]["content"] == message


def chatkit_threads(caller: Caller) -> list[dict[str, Any]]:
    response = chatkit_request(caller.stack.gateway.url, caller.headers, "threads.list", limit=100)
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def user_texts(events: list[dict[str, Any]]) -> list[str]:
    return [
        "".join(part["text"] for part in event["item"]["content"])
        for event in events
        if event["type"] in ("thread.item.done", "thread.item.added")
        and event["item"]["type"] == "user_message"
    ]


@pytest.mark.parametrize(
    "text",
    [*TEXTS, "emoji_10000", "astral_10000"],
)
def test_a_chatkit_message_keeps_unicode_exactly_or_is_refused_leaving_nothing_behind(
    text: str, caller: Caller
):
    value = {"emoji_10000": "\U0001f600" * 10_000, "astral_10000": "\U00010348" * 10_000}.get(
        text, TEXTS.get(text, "")
    )
    before = {thread["id"] for thread in chatkit_threads(caller)}
    response = chatkit_request(
        caller.stack.gateway.url, caller.headers, "threads.create", input=user_input(value)
    )
    after = {thread["id"] for thread in chatkit_threads(caller)}
    if response.status_code == 422:
        assert_refused(response, 422, "input", or_body=text in SURROGATES)
        assert after == before  # no empty conversation left behind
        return
    assert response.status_code == 200, response.text[:500]
    events = sse_events(response.text)
    assert not [e for e in events if e["type"] == "error"], events[-1]
    assert value in user_texts(events)
    assert any(
        e["type"] == "thread.item.done" and e["item"]["type"] == "assistant_message" for e in events
    )
    (new,) = after - before
    items = chatkit_request(
        caller.stack.gateway.url, caller.headers, "items.list", thread_id=new, order="asc"
    ).json()["data"]
    assert items[0]["content"][0]["text"] == value


def test_ten_thousand_characters_of_any_kind_make_a_rest_chat_turn(caller: Caller):
    for value in ("\U0001f600" * 10_000, "e\u0301" * 5_000, "\u202e" * 10_000):
        response = caller.json("gateway", "POST", "/api/{user}/chat", {"message": value})
        assert response.status_code == 200, response.text[:500]


@pytest.mark.parametrize("text", list(TEXTS))
def test_a_chatkit_thread_title_keeps_unicode_exactly_or_refuses_it(text: str, caller: Caller):
    created = chatkit_request(
        caller.stack.gateway.url, caller.headers, "threads.create", input=user_input("hello")
    )
    thread_id = next(
        e["thread"]["id"] for e in sse_events(created.text) if e["type"] == "thread.created"
    )
    title = f"t{TEXTS[text]}"
    response = chatkit_request(
        caller.stack.gateway.url, caller.headers, "threads.update", thread_id=thread_id, title=title
    )
    if stored_or_refused(response, "title", or_body=text in SURROGATES):
        thread = chatkit_request(
            caller.stack.gateway.url, caller.headers, "threads.get_by_id", thread_id=thread_id
        )
        assert thread.json()["title"] == title


@pytest.mark.parametrize("text", list(TEXTS))
def test_an_mcp_tool_argument_keeps_unicode_exactly_or_is_a_tool_error(text: str, caller: Caller):
    title = f"t{TEXTS[text]}"
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "add_task", "arguments": {"title": title, "tags": [title]}},
    }
    response = httpx2.post(
        f"{caller.stack.mcp.url}/mcp",
        content=dumps(body),
        headers={
            **caller.headers,
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
        },
        timeout=TIMEOUT,
    )
    if text in SURROGATES and response.status_code == 400:
        # The MCP SDK refuses the whole message as a JSON-RPC parse error.
        assert response.json()["error"]["code"] == -32700
        return
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    if result["isError"]:
        assert "title" in result["content"][0]["text"]
        return
    stored = caller.send(
        "mcp", "GET", f"/api/{{user}}/tasks/{result['structuredContent']['task_id']}"
    )
    assert (stored.json()["title"], stored.json()["tags"]) == (title, [title])


# ------------------------------------------------------------------------------------------------
# Path traversal and odd ids on every path parameter

BAD_SEGMENTS = [
    "..",
    "..%2F..",
    "..%2F..%2Fapi%2F{victim}%2Fconversations",
    "%2F",
    "a%2Fb",
    "%00",
    "a%00b",
    "%2e%2e",
    "%ff",
    "a%20b",
    "%C3%A9",
    "x" * 5000,
]


def raw_get(caller: Caller, service: str, method: str, path: str) -> tuple[int, bytes]:
    body = b"{}" if method in ("PUT", "PATCH", "POST") else b""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {caller.token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    reply = raw_request(caller.stack.services[service].port, head, body)
    return status_of(reply), reply


def path_templates(victim: Victim, conversation: str) -> list[tuple[str, str, str]]:
    return [
        ("history", "GET", "/api/{user}/conversations/{id}"),
        ("history", "PATCH", "/api/{user}/conversations/{id}"),
        ("history", "DELETE", "/api/{user}/conversations/{id}"),
        ("history", "GET", "/api/{user}/conversations/{id}/messages"),
        ("history", "POST", "/api/{user}/conversations/{id}/messages"),
        ("history", "GET", f"/api/{{user}}/conversations/{conversation}/messages/{{id}}"),
        ("history", "PUT", f"/api/{{user}}/conversations/{conversation}/messages/{{id}}"),
        ("history", "DELETE", f"/api/{{user}}/conversations/{conversation}/messages/{{id}}"),
        ("history", "GET", "/api/{id}/conversations"),
        ("mcp", "GET", "/api/{user}/tasks/{id}"),
        ("mcp", "PATCH", "/api/{user}/tasks/{id}"),
        ("mcp", "DELETE", "/api/{user}/tasks/{id}"),
        ("mcp", "PATCH", "/api/{user}/tasks/{id}/complete"),
        ("mcp", "GET", "/api/{id}/tasks"),
        ("gateway", "POST", "/api/{id}/chat"),
    ]


def test_odd_ids_in_every_path_are_refused_and_reveal_nothing(
    caller: Caller, conversation: str, victim: Victim
):
    wrong = []
    for service, method, template in path_templates(victim, conversation):
        for segment in BAD_SEGMENTS:
            segment = segment.replace("{victim}", victim.user_id)
            path = template.replace("{user}", caller.user_id).replace("{id}", segment)
            status, reply = raw_get(caller, service, method, path)
            # A trailing %2F may be redirected to the caller's own listing: that reveals nothing.
            own = f"location: http://x/api/{caller.user_id}/".encode()
            redirected_home = status == 307 and own in reply.lower()
            refused = 400 <= status < 500 or redirected_home
            if not refused or victim.secret.encode() in reply:
                wrong.append(f"{service} {method} {path[:120]}: {status} {reply[:200]!r}")
    assert wrong == [], "\n".join(wrong)


BAD_BODY_IDS = [
    "..",
    "../..",
    "../../{victim}/conversations/{conversation}",
    "a/b",
    "%2F",
    "a%2Fb",
    "a\x00b",
    "a\ud800b",
    "?limit=1",
    "#frag",
    "a b",
    "x" * 5000,
]


def gateway_requests(thread_or_id: str, item_id: str) -> list[tuple[str, dict[str, Any]]]:
    text = user_input("show all my tasks")
    return [
        ("threads.get_by_id", {"thread_id": thread_or_id}),
        ("items.list", {"thread_id": thread_or_id}),
        ("items.list", {"thread_id": thread_or_id, "after": item_id}),
        ("threads.list", {"after": thread_or_id}),
        ("threads.update", {"thread_id": thread_or_id, "title": "pwned"}),
        ("threads.delete", {"thread_id": thread_or_id}),
        ("threads.add_user_message", {"thread_id": thread_or_id, "input": text}),
        ("items.feedback", {"thread_id": thread_or_id, "item_ids": [item_id], "kind": "negative"}),
        ("threads.retry_after_item", {"thread_id": thread_or_id, "item_id": item_id}),
    ]


def test_odd_ids_the_gateway_builds_paths_from_are_refused_and_reveal_nothing(
    caller: Caller, victim: Victim
):
    url, headers = caller.stack.gateway.url, caller.headers
    wrong = []
    for raw in BAD_BODY_IDS:
        bad = raw.replace("{victim}", victim.user_id).replace(
            "{conversation}", victim.conversation_id
        )
        for request_type, params in gateway_requests(bad, bad):
            body = {"type": request_type, "params": params, "metadata": {}}
            response = httpx2.post(
                f"{url}/chatkit",
                content=dumps(body),
                headers={**headers, "Content-Type": "application/json"},
                timeout=TIMEOUT,
            )
            ok = 400 <= response.status_code < 500 or (
                request_type == "threads.list" and response.status_code == 200
            )
            if not ok or victim.secret in response.text:
                wrong.append(
                    f"{request_type} {bad[:60]!r}: {response.status_code} {response.text[:200]}"
                )
        for field in ("conversation_id", "message_id"):
            response = caller.json(
                "gateway", "POST", "/api/{user}/chat", {"message": "show my tasks", field: bad}
            )
            if response.status_code != 422 or victim.secret in response.text:
                wrong.append(
                    f"chat {field} {bad[:60]!r}: {response.status_code} {response.text[:200]}"
                )
    assert wrong == [], "\n".join(wrong)


def test_ids_of_a_victim_thread_reveal_nothing_through_chatkit(caller: Caller, victim: Victim):
    url, headers = caller.stack.gateway.url, caller.headers
    wrong = []
    for request_type, params in gateway_requests(victim.thread_id, victim.item_ids[0]):
        response = chatkit_request(url, headers, request_type, **params)
        ok = response.status_code == 404 or (
            request_type == "threads.list" and response.status_code in (200, 422)
        )
        if not ok or victim.secret in response.text:
            wrong.append(f"{request_type}: {response.status_code} {response.text[:200]}")
    assert wrong == [], "\n".join(wrong)
    victim_items = chatkit_request(
        url, bearer(hs256(victim.user_id)), "items.list", thread_id=victim.thread_id
    )
    assert victim_items.status_code == 200
    assert victim.secret in victim_items.text


def test_a_fresh_user_sees_none_of_the_victims_data(caller: Caller, victim: Victim):
    stranger = new_user("stranger")
    headers = bearer(hs256(stranger))
    stack = caller.stack
    seen = [
        httpx2.get(f"{stack.history.url}/api/{stranger}/conversations", headers=headers),
        httpx2.get(f"{stack.mcp.url}/api/{stranger}/tasks", headers=headers),
        chatkit_request(stack.gateway.url, headers, "threads.list", limit=100),
    ]
    assert [r.status_code for r in seen] == [200, 200, 200]
    assert all(victim.secret not in r.text and victim.user_id not in r.text for r in seen)
