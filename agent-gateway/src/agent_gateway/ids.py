"""The ids of a turn's items, derived from its user message so that a retry finds what an earlier
attempt stored (random ids and the id pattern come from `todo_common.ids`)."""

from todo_common.ids import derived_id


def assistant_message_id(user_message_id: str) -> str:
    """The answer to a user message: a retry of the turn finds (and overwrites) it."""
    return derived_id("msg", user_message_id, "assistant")


def tool_item_id(user_message_id: str, index: int) -> str:
    """The n-th tool call of the turn answering a user message (counted from 0)."""
    return derived_id("tc", user_message_id, f"tool-{index}")


def idempotency_key(user_message_id: str, tool: str, arguments: str, occurrence: int) -> str:
    """The key mcp-server dedups a tool call by: the same call, made again for the same user
    message (a retried turn), changes nothing twice; the same call asked for a second time in one
    turn (`occurrence` 1) is a change of its own."""
    return derived_id("idem", user_message_id, tool, arguments, str(occurrence))


def conversation_id_for(user_id: str, message_id: str) -> str:
    """The conversation a first REST message creates, so its retry lands in the same one."""
    return derived_id("conv", user_id, message_id)
