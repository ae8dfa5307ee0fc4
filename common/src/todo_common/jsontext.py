"""JSON text by orjson (several times faster than `json.dumps` on the large tool results a chat
turn carries), falling back to `json` for what orjson refuses (integers beyond 64 bits)."""

import json
from typing import Any

import orjson


def dumps(value: Any) -> str:
    """`value` as compact JSON text."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Any:
    """The value of JSON text."""
    return orjson.loads(text)
