"""ChatKit over SSE: one streaming request read event by event, kept even when it is cut."""

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.reliability.client import REQUEST_TIMEOUT
from todo_testing.tokens import auth_header


def chatkit_request(request_type: str, **params: Any) -> dict[str, Any]:
    """One ChatKit request body."""
    return {"type": request_type, "params": params, "metadata": {}}


def user_input(text: str) -> dict[str, Any]:
    """ChatKit's `UserMessageInput` for plain text."""
    return {
        "content": [{"type": "input_text", "text": text}],
        "attachments": [],
        "inference_options": {},
    }


@dataclass
class Stream:
    """The SSE events a streaming ChatKit request delivered, and how it ended."""

    events: list[dict[str, Any]] = field(default_factory=list)
    failure: str | None = None
    """None when the stream ended normally; else the status or the error that cut it."""

    def done_items(self, item_type: str) -> list[dict[str, Any]]:
        """Items of this type the stream finished (`thread.item.done`)."""
        return [
            e["item"]
            for e in self.events
            if e["type"] == "thread.item.done" and e["item"]["type"] == item_type
        ]

    @property
    def answered(self) -> bool:
        """Whether the stream ended normally with a finished answer and no error event."""
        errors = [e for e in self.events if e["type"] == "error"]
        return self.failure is None and not errors and bool(self.done_items("assistant_message"))


async def chatkit_stream(
    session: aiohttp.ClientSession,
    base_url: str,
    user: str,
    body: dict[str, Any],
    started: asyncio.Event | None = None,
) -> Stream:
    """POST /chatkit and read its SSE events until the stream ends or is cut; `started` is set
    once the first event arrived."""
    stream = Stream()
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT * 2):
            async with session.post(
                f"{base_url}/chatkit", json=body, headers=auth_header(user)
            ) as response:
                if response.status != 200:
                    stream.failure = f"{response.status} {(await response.text())[:300]}"
                    return stream
                async for line in response.content:
                    text = line.decode().strip()
                    if text.startswith("data: "):
                        stream.events.append(json.loads(text.removeprefix("data: ")))
                        if started is not None:
                            started.set()
    except TimeoutError:
        stream.failure = "timeout"
    except aiohttp.ClientError as exc:
        stream.failure = type(exc).__name__
    return stream
