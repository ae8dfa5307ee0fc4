"""JSON documents we can store: the one definition every service checks client JSON against.

A document a client sends (message metadata, tool-call arguments and results) is kept as it came
and served again later, so it must survive PostgreSQL and every JSON library on the way back.
`check_json` refuses, with a message saying where in the document:

- nesting deeper than `JSON_MAX_DEPTH` levels (every reader recurses, and a deep document costs
  the server stack and time for nothing a chat needs);
- a string or object key holding NUL or a lone surrogate (see `todo_common.text.storable`);
- an integer outside the signed 64-bit range (orjson, PostgreSQL's jsonb and JavaScript's readers
  lose or refuse it), NaN and the infinities (not JSON at all);
- anything that is not a JSON value (from Python callers: sets, bytes, objects).

`json_size` is the size rule: the UTF-8 bytes of the compact JSON text, non-ASCII characters
written as themselves (an emoji is 4 bytes, not a 12-byte escape pair).

Pydantic models use `StorableJSON` (or `storable_json(...)` for other bounds) after their type:
`Annotated[dict[str, Any], StorableJSON]`; `JSONObject` and `JSONValue` are those ready made.
A failure is a pydantic ValueError, so FastAPI answers 422 naming the field.
"""

from typing import Annotated, Any, TypeVar

import orjson
from pydantic import AfterValidator

from todo_common.text import storable

JSON_MAX_DEPTH = 32
"""How many levels of arrays and objects a document may nest (`{"a": [1]}` is 2)."""
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
"""Integers a document may hold: the signed 64-bit range."""
_KEY_SHOWN = 32
"""How much of an object key an error message quotes."""

T = TypeVar("T")


def _where(path: tuple[str | int, ...]) -> str:
    """A JSONPath-like location (`$['tasks'][0]`); keys quoted as ASCII, so the message itself is
    always storable text, whatever the key holds."""
    parts = [f"[{part}]" if isinstance(part, int) else f"[{part[:_KEY_SHOWN]!a}]" for part in path]
    return "$" + "".join(parts)


def check_json(value: T, *, max_depth: int = JSON_MAX_DEPTH) -> T:
    """`value`, if it is a JSON document we can store (see the module); else ValueError saying
    what is wrong and where. Iterative, so no document is too deep to be refused."""
    pending: list[tuple[Any, int, tuple[str | int, ...]]] = [(value, 0, ())]
    while pending:
        item, depth, path = pending.pop()
        if isinstance(item, dict | list):
            if depth >= max_depth:
                raise ValueError(f"nested deeper than {max_depth} levels at {_where(path)}")
            if isinstance(item, list):
                pending.extend((child, depth + 1, (*path, i)) for i, child in enumerate(item))
                continue
            for key, child in item.items():
                if not isinstance(key, str):
                    raise ValueError(f"object keys must be strings at {_where(path)}")
                try:
                    storable(key)
                except ValueError as exc:
                    raise ValueError(f"an object key {exc} at {_where(path)}") from None
                pending.append((child, depth + 1, (*path, key)))
        elif isinstance(item, str):
            try:
                storable(item)
            except ValueError as exc:
                raise ValueError(f"a string {exc} at {_where(path)}") from None
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not INT_MIN <= item <= INT_MAX:
                raise ValueError(f"an integer outside the 64-bit range at {_where(path)}")
        elif isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                raise ValueError(f"numbers must be finite (no NaN or Infinity) at {_where(path)}")
        else:
            raise ValueError(f"not a JSON value at {_where(path)}")
    return value


def json_size(value: Any) -> int:
    """The size of `value` as stored: UTF-8 bytes of its compact JSON, non-ASCII unescaped.
    `value` must have passed `check_json` (orjson refuses what it would)."""
    return len(orjson.dumps(value))


def storable_json(
    *, max_depth: int = JSON_MAX_DEPTH, max_bytes: int | None = None
) -> AfterValidator:
    """A pydantic validator for a storable JSON document, at most `max_bytes` by `json_size`."""

    def validate(value: T) -> T:
        check_json(value, max_depth=max_depth)
        if max_bytes is not None and json_size(value) > max_bytes:
            raise ValueError(f"must be at most {max_bytes} bytes as compact UTF-8 JSON")
        return value

    return AfterValidator(validate)


StorableJSON = storable_json()
"""`check_json` with the default bounds, for `Annotated[<type>, StorableJSON]`."""

JSONObject = Annotated[dict[str, Any], StorableJSON]
"""A JSON object we can store."""
JSONValue = Annotated[Any, StorableJSON]
"""Any JSON value we can store."""
