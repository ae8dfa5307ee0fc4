"""Paging cursors: what a listing issued comes back as it was; anything else is a 422 naming
`cursor`, whatever was done to it."""

import base64
import string
from datetime import UTC, datetime
from typing import Annotated, Any

import pytest
from pydantic import AwareDatetime, Field, TypeAdapter

from todo_common.cursors import Cursors
from todo_common.problems import InvalidField

SECRET = "a-test-secret-of-at-least-thirty-two-characters"
Position = tuple[AwareDatetime, Annotated[int, Field(ge=1, le=2**63 - 1)]]
POSITION: TypeAdapter[Position] = TypeAdapter(Position)
WHERE = (datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), 42)


def cursors(secret: str = SECRET, listing: str = "tasks") -> Cursors[Position]:
    return Cursors(secret, listing, POSITION)


def signed_as_ours(position: Any) -> str:
    """A cursor with a correct signature around any payload (what a leaked key would allow)."""
    return Cursors(SECRET, "tasks", TypeAdapter(Any)).encode(position)


def assert_refused(cursor: str) -> None:
    with pytest.raises(InvalidField) as refused:
        cursors().decode(cursor)
    assert refused.value.status == 422
    assert [(e.location, e.field) for e in refused.value.errors or []] == [("query", "cursor")]
    assert str(refused.value).startswith("cursor: ")


def test_a_cursor_comes_back_as_the_position_it_was_made_from():
    cursor = cursors().encode(WHERE)
    assert cursors().decode(cursor) == WHERE
    assert set(cursor) <= set(string.ascii_letters + string.digits + "-_.")  # URL-safe as it is


def tamper(cursor: str) -> str:
    """`cursor` pointing at another task, its signature kept."""
    header, payload, signature = cursor.split(".")
    data = base64.urlsafe_b64decode(payload + "==")
    assert b",42]" in data
    forged = base64.urlsafe_b64encode(data.replace(b",42]", b",43]")).decode().rstrip("=")
    return ".".join([header, forged, signature])


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(tamper, id="tampered"),
        pytest.param(lambda c: c[: len(c) // 2], id="truncated"),
        pytest.param(lambda c: c + "\x00", id="nul"),
        pytest.param(lambda c: c + "\ud800", id="lone-surrogate"),
        pytest.param(lambda c: "", id="empty"),
        pytest.param(lambda c: "garbage!", id="garbage"),
        pytest.param(lambda c: "9" * 5000, id="huge-number"),
        pytest.param(lambda c: cursors(secret="another-secret" * 3).encode(WHERE), id="other-key"),
        pytest.param(lambda c: cursors(listing="other").encode(WHERE), id="other-listing"),
    ],
)
def test_a_cursor_we_did_not_issue_is_refused(damage):
    assert_refused(damage(cursors().encode(WHERE)))


@pytest.mark.parametrize(
    "position",
    [
        pytest.param(["2030-01-02T03:04:05Z", 10**30], id="id-out-of-range"),
        pytest.param(["2030-01-02T03:04:05Z", 0], id="id-zero"),
        pytest.param(["2030-01-02T03:04:05", 1], id="naive-time"),
        pytest.param(["10000-01-01T00:00:00Z", 1], id="year-out-of-range"),
        pytest.param([1, "2030-01-02T03:04:05Z"], id="wrong-types"),
        pytest.param(["2030-01-02T03:04:05Z"], id="too-short"),
        pytest.param({"sort": "created"}, id="not-a-position"),
        pytest.param(None, id="null"),
    ],
)
def test_a_signed_cursor_holding_the_wrong_values_is_refused_too(position):
    assert cursors().decode(signed_as_ours([WHERE[0].isoformat(), 7])) == (WHERE[0], 7)
    assert_refused(signed_as_ours(position))
