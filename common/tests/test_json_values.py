"""Storable JSON documents: what every service may keep is accepted as it is; anything else is a
ValueError saying where, and, in a pydantic model, a validation error naming the field."""

import json
from typing import Annotated, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from todo_common.json_values import (
    INT_MAX,
    INT_MIN,
    JSON_MAX_DEPTH,
    JSONObject,
    check_json,
    json_size,
    storable_json,
)


def nested(depth: int) -> Any:
    """A document of `depth` levels: `[[...]]`."""
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


storable_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"))
documents = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(INT_MIN, INT_MAX)
    | st.floats(allow_nan=False, allow_infinity=False)
    | storable_text,
    lambda children: st.lists(children) | st.dictionaries(storable_text, children),
    max_leaves=20,
)


@given(documents)
def test_every_storable_document_is_accepted_unchanged(document):
    assert check_json(document) is document


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ({"a": "x\x00"}, "$['a']"),
        ({"a": [0, "\ud800"]}, "$['a'][1]"),
        ({"k\x00": 1}, "$"),
        ({"a": {"\udfff": 1}}, "$['a']"),
        ([INT_MAX + 1], "$[0]"),
        ({"n": INT_MIN - 1}, "$['n']"),
        ({"n": float("nan")}, "$['n']"),
        ([float("inf")], "$[0]"),
        ({"s": {1, 2}}, "$['s']"),
        ({1: "x"}, "$"),
        (nested(JSON_MAX_DEPTH + 1), "$" + "[0]" * JSON_MAX_DEPTH),
    ],
)
def test_what_cannot_be_stored_is_refused_saying_where(document, where):
    with pytest.raises(ValueError, match=r"at (.*)$") as refused:
        check_json(document)
    assert str(refused.value).endswith(f"at {where}")


def test_the_deepest_allowed_document_passes_and_any_depth_is_refused_without_recursion():
    assert check_json(nested(JSON_MAX_DEPTH)) is not None
    with pytest.raises(ValueError, match="nested deeper than 32 levels"):
        check_json(nested(200_000))
    with pytest.raises(ValueError, match="nested deeper than 3 levels"):
        check_json(nested(4), max_depth=3)


def test_a_refused_key_is_quoted_as_ascii_so_the_message_is_storable():
    with pytest.raises(ValueError) as refused:
        check_json({"\ud800" * 100: {"x": "\x00"}})
    message = str(refused.value)
    assert message.isascii()
    assert len(message) < 200


def test_size_is_compact_utf8_with_characters_unescaped():
    assert json_size({"a": "😀"}) == len('{"a":"😀"}'.encode())
    assert json_size("é") == 4  # "é" in quotes: 2 + 2 bytes
    assert json_size(["\x01"]) == len(json.dumps(["\x01"]))  # control characters stay escaped


class Model(BaseModel):
    doc: JSONObject | None = None
    small: Annotated[Any, storable_json(max_depth=2, max_bytes=10)] = None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"doc": {"a": "\x00"}}, "doc"),
        ({"small": [[[1]]]}, "small"),
        ({"small": "x" * 9}, "small"),
    ],
)
def test_in_a_model_a_refusal_names_the_field(data, field):
    with pytest.raises(ValidationError) as refused:
        Model.model_validate(data)
    assert [error["loc"] for error in refused.value.errors()] == [(field,)]


def test_in_a_model_a_document_within_bounds_is_kept():
    model = Model.model_validate({"doc": {"a": [1, {"b": None}]}, "small": "x" * 8})
    assert model.doc == {"a": [1, {"b": None}]}
    assert model.small == "x" * 8
