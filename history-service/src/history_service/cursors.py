"""The conversation list's cursors: each holds the last conversation of its page."""

from pydantic import AwareDatetime, BaseModel, TypeAdapter

from history_service.schemas import ClientId
from history_service.settings import HistorySettings
from todo_common.cursors import Cursors

LISTING = "history-service conversations"
"""The name its cursors are signed under."""


class ConversationKey(BaseModel):
    """A conversation's place in the list (newest `updated_at` first, then id)."""

    updated_at: AwareDatetime
    id: ClientId


def conversation_cursors(settings: HistorySettings) -> Cursors[ConversationKey]:
    """The cursors of `GET /conversations`, signed with this service's secret."""
    return Cursors(settings.cursor_secret, LISTING, TypeAdapter(ConversationKey))
