"""Paging cursors: the opaque `next_cursor` a listing hands out and takes back as `cursor`.

A cursor is the page's end position as a small JSON payload, signed with HMAC-SHA256 (a compact
JWS, by PyJWT) under a key derived from the service's secret and the listing's name: a cursor of
one listing means nothing to another, and none is ever a bearer token. Decoding checks the
signature, then the position against its pydantic type, so a cursor that was altered, cut short,
made for another listing or holds a value of the wrong type or range is a 422 naming `cursor`,
never a query. Clients only pass back what they were given.
"""

import hashlib
import hmac
from typing import Generic, TypeVar

import jwt
from pydantic import TypeAdapter

from todo_common.problems import InvalidField

P = TypeVar("P")
ALGORITHM = "HS256"
FIELD = "cursor"


class Cursors(Generic[P]):
    """The cursors of one listing, whose positions `position` validates."""

    def __init__(self, secret: str, listing: str, position: TypeAdapter[P]) -> None:
        label = f"todo-assistant paging cursor: {listing}".encode()
        self._key = hmac.digest(secret.encode(), label, hashlib.sha256)
        self._position = position

    def encode(self, position: P) -> str:
        """The cursor that resumes the listing after `position`."""
        payload = {"position": self._position.dump_python(position, mode="json")}
        return jwt.encode(payload, self._key, algorithm=ALGORITHM)

    def decode(self, cursor: str) -> P:
        """The position `cursor` stands for; InvalidField naming `cursor` for one we did not issue."""
        try:
            payload = jwt.decode(cursor, self._key, algorithms=[ALGORITHM])
            return self._position.validate_python(payload.get("position"))
        # ValueError: pydantic's ValidationError, and text with no UTF-8 form (a lone surrogate).
        except (jwt.PyJWTError, ValueError) as exc:
            raise InvalidField("query", FIELD, "not a cursor this listing issued") from exc
