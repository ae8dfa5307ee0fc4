"""`todo-chat --user alice`: chat with the assistant from a terminal (a dev token is minted for you)."""

import argparse
import sys
import uuid
from typing import Any

import httpx2

from todo_common.devtoken import dev_token


def main(argv: list[str] | None = None) -> None:
    """Chat until EOF or Ctrl-C; with a message on the command line, send just that."""
    parser = argparse.ArgumentParser(prog="todo-chat", description=__doc__)
    parser.add_argument("--user", default="alice", help="who you are (the token's sub)")
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the agent-gateway")
    parser.add_argument("--conversation", help="continue this conversation id")
    parser.add_argument("message", nargs="*", help="send this one message and exit")
    args = parser.parse_args(argv)
    try:
        token = dev_token(args.user, ttl_seconds=12 * 3600)
    except ValueError as exc:
        parser.error(str(exc))
    session = ChatSession(args.url, args.user, token, args.conversation)
    if args.message:
        session.send(" ".join(args.message))
        return
    print(f"Chatting as {args.user} with {args.url}. Ctrl-D to quit.")
    try:
        while line := input("you> ").strip() or " ":
            if line.strip():
                session.send(line)
    except (EOFError, KeyboardInterrupt):
        print()


class ChatSession:
    """One conversation over POST /api/{user}/chat."""

    def __init__(self, url: str, user: str, token: str, conversation_id: str | None) -> None:
        self.client = httpx2.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120
        )
        self.user = user
        self.conversation_id = conversation_id

    def send(self, message: str) -> None:
        """Send one message and print the tool calls and the reply."""
        body: dict[str, Any] = {"message": message, "message_id": uuid.uuid4().hex}
        if self.conversation_id:
            body["conversation_id"] = self.conversation_id
        try:
            response = self.client.post(f"/api/{self.user}/chat", json=body)
        except httpx2.HTTPError as exc:
            print(f"! cannot reach the gateway: {exc}", file=sys.stderr)
            return
        if response.status_code != 200:
            print(f"! {response.status_code}: {response.json().get('detail')}", file=sys.stderr)
            return
        answer = response.json()
        self.conversation_id = answer["conversation_id"]
        for call in answer["tool_calls"]:
            print(f"  [{call['name']} {call['arguments']} -> {call['status']}]")
        print(f"assistant> {answer['response']}")


if __name__ == "__main__":
    main()
