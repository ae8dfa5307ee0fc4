"""`history-service`: serve the API on HOST/PORT."""

from history_service.settings import HistorySettings
from todo_common.serve import serve


def main() -> None:
    """Console script entry point."""
    serve("history_service.app:create_app", HistorySettings(), "history-service")


if __name__ == "__main__":
    main()
