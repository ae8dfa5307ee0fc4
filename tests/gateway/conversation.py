"""One conversation driven through either endpoint, so a test can run on both."""

from dataclasses import dataclass, field
from typing import Any

from tests.gateway.chat_client import (
    chat_ok,
    chatkit_stream,
    streamed_text,
    user_input,
)


@dataclass
class Conversation:
    """Sends user messages over REST or ChatKit and keeps the conversation id."""

    base_url: str
    user: str
    endpoint: str
    conversation_id: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    def say(self, text: str) -> str:
        """Send one message; the assistant's reply."""
        if self.endpoint == "rest":
            body = chat_ok(self.base_url, self.user, text, conversation_id=self.conversation_id)
            self.conversation_id = body["conversation_id"]
            return body["response"]
        if self.conversation_id is None:
            self.events = chatkit_stream(
                self.base_url, self.user, "threads.create", input=user_input(text)
            )
            self.conversation_id = self.events[0]["thread"]["id"]
        else:
            self.events = chatkit_stream(
                self.base_url,
                self.user,
                "threads.add_user_message",
                thread_id=self.conversation_id,
                input=user_input(text),
            )
        return streamed_text(self.events)
