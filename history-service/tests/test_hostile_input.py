"""Malformed input is a 422 naming the field (or another 4xx), never a 500: ids in the path,
strings no text column can hold anywhere in a JSON document, deep nesting, integers beyond 64
bits, and every bound on sizes and list lengths. Nothing refused is stored."""

import json

import httpx2
import pytest
from sqlalchemy import text

from todo_testing.processes import ServiceProcess
from todo_testing.tokens import TEST_JWT_SECRET, auth_header

ROUTES = [
    ("GET", "/conversations/{cid}"),
    ("PATCH", "/conversations/{cid}"),
    ("DELETE", "/conversations/{cid}"),
    ("GET", "/conversations/{cid}/messages"),
    ("POST", "/conversations/{cid}/messages"),
    ("POST", "/conversations/{cid}/messages:append"),
    ("PUT", "/conversations/{cid}/messages:batch"),
    ("GET", "/conversations/{cid}/messages/{mid}"),
    ("PUT", "/conversations/{cid}/messages/{mid}"),
    ("DELETE", "/conversations/{cid}/messages/{mid}"),
]
BODIES = {
    "PATCH": {"title": "t"},
    "POST": {"role": "user", "content": "hi"},
    "PUT": {"role": "user", "content": "hi"},
}
BATCH = {"messages": [{"id": "m1", "role": "user", "content": "hi"}]}
# As they appear in a URL: each decodes to text outside the id pattern.
BAD_IDS = ["%00", "a%00b", "...", "a.b", "a%20b", "%C3%A9", "x" * 65, "%F0%9F%98%80"]


@pytest.fixture
async def conversation(alice) -> str:
    created = await alice.create_conversation(id="c1")
    await alice.add_message("c1", "hello", id="m1")
    return created["id"]


async def stored_messages(db) -> list[str]:
    async with db.connect() as connection:
        rows = await connection.execute(text("SELECT content FROM messages ORDER BY seq"))
        return [row.content for row in rows]


@pytest.mark.parametrize(("method", "route"), ROUTES)
async def test_an_id_outside_the_pattern_in_the_path_is_422_naming_it(
    alice, conversation, method, route
):
    body = BATCH if route.endswith(":batch") else BODIES.get(method)
    for bad in BAD_IDS:
        for field, path in [
            ("conversation_id", route.format(cid=bad, mid="m1")),
            ("message_id", route.format(cid=conversation, mid=bad)),
        ]:
            if "{mid}" not in route and field == "message_id":
                continue
            response = await alice.request(method, path, json=body)
            assert response.status_code == 422, (method, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert [e["field"] for e in response.json()["errors"]] == [field], path


def message_with(**fields: object) -> dict:
    return {"role": "assistant", "content": "x", **fields}


def tool_call(**fields: object) -> dict:
    return {"id": "call", "name": "tool", **fields}


DEEP = json.loads("[" * 32 + "]" * 32)  # 32 levels: the most allowed
TOO_DEEP = [DEEP]
HUGE = 2**63

# (message body, the field named): each holds one thing no JSON document we store may hold.
REFUSED = [
    (message_with(metadata={"k": "a\x00b"}), "metadata"),
    (message_with(metadata={"a\x00": 1}), "metadata"),
    (message_with(metadata={"a": [{"b": {"c\x00": None}}]}), "metadata"),
    (message_with(metadata={"k": "\ud800"}), "metadata"),
    (message_with(metadata={"\udfff": 1}), "metadata"),
    (message_with(metadata={"a": [1, {"b": "x\udbff"}]}), "metadata"),
    (message_with(metadata={"d": TOO_DEEP}), "metadata"),
    (message_with(metadata={"n": HUGE}), "metadata"),
    (message_with(metadata={"n": [-HUGE - 1]}), "metadata"),
    (message_with(tool_calls=[tool_call(arguments={"q": "\ud800"})]), "tool_calls.0.arguments"),
    (message_with(tool_calls=[tool_call(arguments={"\x00": 1})]), "tool_calls.0.arguments"),
    (message_with(tool_calls=[tool_call(arguments="a\x00")]), "tool_calls.0.arguments"),
    (message_with(tool_calls=[tool_call(arguments={"n": HUGE})]), "tool_calls.0.arguments"),
    (message_with(tool_calls=[tool_call(arguments={"d": DEEP})]), "tool_calls.0.arguments"),
    (message_with(tool_calls=[tool_call(result={"k\ud83d": 1})]), "tool_calls.0.result"),
    (message_with(tool_calls=[tool_call(result=[HUGE])]), "tool_calls.0.result"),
    (message_with(tool_calls=[tool_call(result=TOO_DEEP)]), "tool_calls.0.result"),
    (message_with(tool_calls=[tool_call(id="c\x00")]), "tool_calls.0.id"),
    (message_with(tool_calls=[tool_call(name="\ud800")]), "tool_calls.0.name"),
    (message_with(tool_calls=[tool_call(duration_ms=10**400)]), "tool_calls.0.duration_ms"),
    (message_with(tool_calls=[tool_call()] * 65), "tool_calls"),
]


@pytest.mark.parametrize(("body", "field"), REFUSED)
async def test_what_no_stored_json_may_hold_is_422_naming_the_field(
    alice, conversation, db, body, field
):
    # Sent as JSON text with escapes, as a client would: "\ud800" written as `\\ud800`.
    content = json.dumps(body)
    headers = {"content-type": "application/json"}
    paths = [
        ("POST", f"/conversations/{conversation}/messages"),
        ("POST", f"/conversations/{conversation}/messages:append"),
        ("PUT", f"/conversations/{conversation}/messages/m2"),
        ("PUT", f"/conversations/{conversation}/messages/m1"),
    ]
    for method, path in paths:
        response = await alice.request(method, path, content=content, headers=headers)
        assert response.status_code == 422, (path, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field], path
    batch = json.dumps({"messages": [{"id": "m3", **body}]})
    response = await alice.put(
        f"/conversations/{conversation}/messages:batch", content=batch, headers=headers
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [f"messages.0.{field}"]
    assert await stored_messages(db) == ["hello"]


async def test_the_deepest_allowed_document_is_stored(alice, conversation):
    created = await alice.add_message(
        conversation,
        "x",
        role="assistant",
        metadata={"d": DEEP[0]},
        tool_calls=[tool_call(arguments={"d": DEEP[0]}, result=DEEP)],
    )
    assert created["metadata"] == {"d": DEEP[0]}
    assert created["tool_calls"][0]["result"] == DEEP


@pytest.mark.parametrize("depth", [1_000, 100_000])
async def test_a_body_nested_too_deep_to_parse_is_a_422(alice, conversation, db, depth):
    nested = "[" * depth + "]" * depth
    body = f'{{"role": "assistant", "content": "x", "metadata": {{"d": {nested}}}}}'
    response = await alice.post(
        f"/conversations/{conversation}/messages",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await stored_messages(db) == ["hello"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/conversations", {"limit": str(2**64)}, "limit"),
        ("/conversations", {"limit": "-" + "9" * 30}, "limit"),
        ("/conversations/c1/messages", {"limit": str(2**70)}, "limit"),
        ("/conversations/c1/messages", {"after": "a\x00"}, "after"),
        ("/conversations", {"q": "a\x00"}, "q"),
    ],
)
async def test_query_parameters_out_of_range_are_422_naming_them(
    alice, conversation, path, params, field
):
    response = await alice.get(path, params=params)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_append_with_a_recent_beyond_64_bits_is_422(alice, conversation, db):
    response = await alice.post(
        f"/conversations/{conversation}/messages:append",
        params={"recent": str(2**64)},
        json={"role": "user", "content": "hi"},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["recent"]
    assert await stored_messages(db) == ["hello"]


def chat_item(text: str) -> dict:
    """Metadata shaped as the gateway stores it: the ChatKit item, holding the text once."""
    return {
        "chatkit_item": {
            "id": "m2",
            "thread_id": "c1",
            "type": "user_message",
            "created_at": "2026-12-02T10:00:00Z",
            "content": [{"type": "input_text", "text": text}],
            "attachments": [],
            "inference_options": {"tool_choice": None, "model": None},
        }
    }


@pytest.mark.parametrize(
    "text",
    [
        "😀" * 10_000,  # 4 bytes each in UTF-8
        "\x01" * 10_000,  # 6 bytes each, escaped in JSON as \\u0001
        '"' * 10_000,  # 2 bytes each, escaped
        "é" * 10_000,
        "\u202e" * 10_000,  # right-to-left override
        "a" * 10_000,
    ],
    ids=["emoji", "control", "quote", "latin", "rtl", "ascii"],
)
async def test_a_user_message_of_10000_characters_of_any_kind_is_stored_exactly(
    alice, conversation, text
):
    response = await alice.post(
        f"/conversations/{conversation}/messages",
        json={"id": "m2", "role": "user", "content": text, "metadata": chat_item(text)},
    )
    assert response.status_code == 201, response.text[:300]
    stored = (await alice.get(f"/conversations/{conversation}/messages/m2")).json()
    assert stored["content"] == text
    assert stored["metadata"] == chat_item(text)


async def test_64_tool_calls_are_stored_and_65_are_422(alice, conversation):
    calls = [tool_call(id=f"c{i}") for i in range(64)]
    created = await alice.add_message(conversation, "x", role="assistant", tool_calls=calls)
    assert [call["id"] for call in created["tool_calls"]] == [f"c{i}" for i in range(64)]
    response = await alice.post(
        f"/conversations/{conversation}/messages",
        json=message_with(tool_calls=[*calls, tool_call(id="c64")]),
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["tool_calls"]


async def test_a_batch_of_50_is_stored_and_51_is_422(alice, conversation, db):
    def batch(count: int) -> dict:
        return {
            "messages": [{"id": f"b{i}", "role": "tool", "content": str(i)} for i in range(count)]
        }

    path = f"/conversations/{conversation}/messages:batch"
    refused = await alice.put(path, json=batch(51))
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["messages"]
    assert await stored_messages(db) == ["hello"]
    stored = await alice.put(path, json=batch(50))
    assert stored.status_code == 200, stored.text
    assert len(await stored_messages(db)) == 51


@pytest.fixture(scope="module")
def narrow_server(create_database, tmp_path_factory):
    """A running history-service on PostgreSQL with every message bound set small by env."""
    env = {
        "DATABASE_URL": create_database(),
        "AUTH_JWT_SECRET": TEST_JWT_SECRET,
        "APP_ENV": "test",
        "MESSAGE_METADATA_MAX_BYTES": "100",
        "MESSAGE_TOOL_CALLS_MAX": "2",
        "MESSAGE_BATCH_MAX": "2",
        "JSON_MAX_DEPTH": "3",
    }
    log = tmp_path_factory.mktemp("logs") / "history.log"
    server = ServiceProcess("history_service.main", env, log).start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("path", "fits", "too_big", "field"),
    [
        (
            "/messages",
            message_with(content="ab", metadata={"k": "a" * (100 + 4 - 8)}),
            message_with(content="ab", metadata={"k": "a" * (100 + 4 - 7)}),
            "metadata",
        ),
        (
            "/messages",
            message_with(tool_calls=[tool_call()] * 2),
            message_with(tool_calls=[tool_call()] * 3),
            "tool_calls",
        ),
        (
            "/messages",
            message_with(metadata={"a": {"b": {}}}),
            message_with(metadata={"a": {"b": {"c": []}}}),
            "metadata",
        ),
        (
            "/messages:batch",
            {"messages": [{"id": f"b{i}", **message_with()} for i in range(2)]},
            {"messages": [{"id": f"c{i}", **message_with()} for i in range(3)]},
            "messages",
        ),
    ],
    ids=["metadata-bytes", "tool-calls", "depth", "batch"],
)
def test_each_bound_follows_its_variable(narrow_server, path, fits, too_big, field):
    user = f"narrow-{field}-{len(str(fits))}"
    with httpx2.Client(
        base_url=f"{narrow_server.url}/api/{user}", headers=auth_header(user)
    ) as api:
        assert api.post("/conversations", json={"id": "c"}).status_code == 201
        method = "PUT" if path.endswith(":batch") else "POST"
        accepted = api.request(method, f"/conversations/c{path}", json=fits)
        assert accepted.status_code in (200, 201), accepted.text
        refused = api.request(method, f"/conversations/c{path}", json=too_big)
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == [field]
