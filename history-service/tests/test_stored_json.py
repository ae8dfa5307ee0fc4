"""What `StoredJSONResponse` leans on orjson for: a fragment goes out exactly as stored, and a UTC
time is written the way pydantic writes it, so a listing reads the same as any other response."""

from datetime import UTC, datetime

import orjson
from pydantic import BaseModel

from history_service.schemas import StoredJSONResponse


class _Stamp(BaseModel):
    at: datetime


def test_a_fragment_is_written_verbatim_inside_the_document():
    stored = '{"b":[1,2.50,"\\u00e9"],"a":null}'  # key order, number form and escapes as stored
    body = StoredJSONResponse({"metadata": orjson.Fragment(stored)}).body

    assert body == b'{"metadata":' + stored.encode() + b"}"


def test_a_utc_time_is_written_as_pydantic_writes_it():
    at = datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=UTC)
    body = StoredJSONResponse({"at": at}).body

    assert orjson.loads(body)["at"] == _Stamp(at=at).model_dump(mode="json")["at"]
