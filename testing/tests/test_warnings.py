"""The suite's warning filters: a deprecation our code triggers fails the test; one a library
triggers inside itself does not."""

import warnings

import pytest

DEPRECATED_CALL = "import warnings\nwarnings.warn('old API', {category})"


def run_as(module: str, category: type[Warning]) -> None:
    """Warn as if from inside `module` (the warnings machinery reads the caller's `__name__`)."""
    exec(DEPRECATED_CALL.format(category=category.__name__), {"__name__": module})


@pytest.mark.parametrize("category", [DeprecationWarning, PendingDeprecationWarning])
@pytest.mark.parametrize(
    "module",
    [
        "todo_common.db",
        "todo_testing",
        "history_service.app",
        "todo_mcp.tools",
        "agent_gateway.chat",
        "mcp-server.tests.test_auth",
        "tests.gateway.conftest",
        "conftest",
    ],
)
def test_a_deprecation_in_our_code_is_an_error(module: str, category: type[Warning]) -> None:
    with pytest.raises(category, match="old API"):
        run_as(module, category)


@pytest.mark.parametrize("module", ["sqlalchemy.orm", "agents.run", "todo_commonly"])
def test_a_deprecation_inside_a_library_is_ignored(module: str) -> None:
    with warnings.catch_warnings(record=True) as shown:
        run_as(module, DeprecationWarning)
    assert shown == []
