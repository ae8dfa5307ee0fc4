"""Ids: random where new, derived where a retry must find what the first attempt stored."""

import hashlib
import uuid


def new_id(prefix: str) -> str:
    """A fresh unique id such as `msg_3f2a…` (32 hex digits, unlike ChatKit's 8)."""
    return f"{prefix}_{uuid.uuid4().hex}"


def derived_id(prefix: str, *parts: str) -> str:
    """The same id for the same parts, every time and on every gateway instance."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"{prefix}_{digest}"


def assistant_message_id(user_message_id: str) -> str:
    """The answer to a user message: a retry of the turn finds (and overwrites) it."""
    return derived_id("msg", user_message_id, "assistant")


def workflow_id(user_message_id: str, index: int) -> str:
    """The n-th group of tool calls of the turn answering a user message."""
    return derived_id("wf", user_message_id, f"tools-{index}")


def conversation_id_for(user_id: str, message_id: str) -> str:
    """The conversation a first REST message creates, so its retry lands in the same one."""
    return derived_id("conv", user_id, message_id)
