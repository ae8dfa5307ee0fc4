"""`todo-token`: a development token for the configured services and the task server's MCP endpoint."""

import jwt
import pytest

from todo_common.devtoken import main
from todo_common.mcp_access import DEFAULT_MCP_RESOURCE_URL

SECRET = "a-development-secret-of-at-least-32-characters"


def minted(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    main(list(argv))
    token = capsys.readouterr().out.strip()
    claims: dict[str, object] = jwt.decode(
        token, SECRET, algorithms=["HS256"], options={"verify_aud": False}
    )
    return claims


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AUTH_ISSUER", "AUTH_AUDIENCE", "MCP_RESOURCE_URL", "AUTH_JWKS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AUTH_JWT_SECRET", SECRET)


def test_by_default_the_token_is_for_the_mcp_resource_with_every_scope(capsys):
    claims = minted(capsys, "alice")

    assert claims["sub"] == "alice"
    assert claims["aud"] == [DEFAULT_MCP_RESOURCE_URL]
    assert claims["scope"] == "tasks:read tasks:write"
    assert "iss" not in claims


def test_the_configured_audience_issuer_and_resource_are_all_in_the_token(capsys, monkeypatch):
    monkeypatch.setenv("AUTH_AUDIENCE", "https://app.example")
    monkeypatch.setenv("AUTH_ISSUER", "https://app.example")
    monkeypatch.setenv("MCP_RESOURCE_URL", "https://tasks.example/mcp")

    claims = minted(capsys, "alice", "--scope", "tasks:read")

    assert claims["aud"] == ["https://app.example", "https://tasks.example/mcp"]
    assert claims["iss"] == "https://app.example"
    assert claims["scope"] == "tasks:read"


def test_an_unknown_scope_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["alice", "--scope", "tasks:admin"])

    assert "unknown scope tasks:admin" in capsys.readouterr().err
