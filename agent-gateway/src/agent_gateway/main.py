"""`agent-gateway` / `python -m agent_gateway.main`: serve the gateway on HOST/PORT."""

from agent_gateway.settings import Settings
from todo_common.serve import serve


def main() -> None:
    """Serve the gateway."""
    serve("agent_gateway.app:create_app", Settings(), "agent-gateway")


if __name__ == "__main__":
    main()
