"""Ids: the one pattern every service accepts, random ids for new things, derived ids for retries."""

import hashlib
import uuid

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
"""What a client-chosen or generated id may look like: safe in a URL path segment as it is."""


def new_id(prefix: str) -> str:
    """A fresh unique id such as `msg_3f2a…` (32 hex digits), matching `ID_PATTERN`."""
    return f"{prefix}_{uuid.uuid4().hex}"


def derived_id(prefix: str, *parts: str) -> str:
    """The same id for the same parts, every time and in every process (matches `ID_PATTERN`)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"{prefix}_{digest}"
