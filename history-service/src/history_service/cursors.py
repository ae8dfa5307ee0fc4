"""Opaque keyset cursors for the conversation list."""

import base64
import json
from datetime import datetime

from todo_common.problems import FieldError, InvalidInput


def encode(updated_at: datetime, conversation_id: str) -> str:
    """The cursor that resumes after this conversation."""
    raw = json.dumps([updated_at.isoformat(), conversation_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, str]:
    """The keyset a cursor stands for; a cursor we did not issue is a 422 naming `cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        updated_at, conversation_id = json.loads(base64.urlsafe_b64decode(padded))
        moment = datetime.fromisoformat(updated_at)
        if moment.tzinfo is None or not isinstance(conversation_id, str):
            raise ValueError("not one of our cursors")
    except ValueError as exc:  # also binascii and JSON errors, which subclass it
        raise InvalidInput(
            "The cursor is not valid.",
            errors=[
                FieldError(
                    location="query", field="cursor", message="not a cursor this service issued"
                )
            ],
        ) from exc
    return moment, conversation_id
