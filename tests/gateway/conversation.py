"""One conversation driven through either endpoint, so a test can run on both."""

from dataclasses import dataclass, field
from typing import Any

import httpx2

from tests.gateway.chat_client import (
    TIMEOUT,
    chat_ok,
    chatkit_stream,
    streamed_text,
    user_input,
)
from todo_testing.tokens import auth_header


@dataclass
class Conversation:
    """Sends user messages over REST or ChatKit and keeps the conversation id."""

    base_url: str
    user: str
    endpoint: str
    conversation_id: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    pending: dict[str, Any] | None = None
    """The last reply's pending approval (REST) or confirm/cancel card (ChatKit), if it asked."""

    def say(self, text: str) -> str:
        """Send one message; the assistant's reply."""
        if self.endpoint == "rest":
            body = chat_ok(self.base_url, self.user, text, conversation_id=self.conversation_id)
            self.conversation_id = body["conversation_id"]
            self.pending = body["pending_approval"]
            return str(body["response"])
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
        done = [e["item"] for e in self.events if e["type"] == "thread.item.done"]
        self.pending = done[-1] if done and done[-1]["type"] == "widget" else None
        return streamed_text(self.events)

    def decide(self, decision: str = "approve") -> str:
        """Answer the last reply's question (Confirm or Cancel); the assistant's reply then."""
        assert self.pending is not None, "the last reply asked nothing"
        pending, self.pending = self.pending, None
        if self.endpoint == "rest":
            answered = httpx2.post(
                f"{self.base_url}/api/{self.user}/chat/approvals/{pending['id']}",
                json={"decision": decision},
                headers=auth_header(self.user),
                timeout=TIMEOUT,
            )
            assert answered.status_code == 200, answered.text
            return str(answered.json()["response"])
        button = pending["widget"]["confirm" if decision == "approve" else "cancel"]["action"]
        self.events = chatkit_stream(
            self.base_url,
            self.user,
            "threads.custom_action",
            thread_id=self.conversation_id,
            item_id=pending["id"],
            action={"type": button["type"], "payload": button["payload"]},
        )
        return streamed_text(self.events)
