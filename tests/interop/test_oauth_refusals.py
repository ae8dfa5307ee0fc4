"""Issue 16: what the real mcp-server refuses, and how, in front of the real authorization server:
a token for another audience, a token without `tasks:write` calling `add_task`, a browser's
foreign Origin, a Host not allowed, a token in the query string, no token at all."""

import uuid

import httpx2

from tests.interop.conftest import OAuthStack
from tests.interop.mcp_http import call_tool, tool_result
from todo_testing.tokens import token_for


def a_user() -> str:
    return f"refusals-{uuid.uuid4().hex[:12]}"


def token(stack: OAuthStack, user_id: str, audience: str | list[str], scope: str) -> str:
    """Signed as the services accept (the test secret, the real issuer): only the claims vary."""
    return token_for(user_id, issuer=stack.issuer, audience=audience, scope=scope)


def metadata_url(stack: OAuthStack) -> str:
    return f"{stack.mcp.url}/.well-known/oauth-protected-resource/mcp"


def rest_tasks(stack: OAuthStack, user_id: str, bearer: str) -> httpx2.Response:
    return httpx2.get(
        f"{stack.mcp.url}/api/{user_id}/tasks",
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=30,
    )


def test_the_protected_resource_metadata_names_the_authorization_server(oauth_stack: OAuthStack):
    response = httpx2.get(metadata_url(oauth_stack), timeout=30)

    assert response.status_code == 200
    body = response.json()
    assert body["resource"] == oauth_stack.mcp_url
    assert [s.rstrip("/") for s in body["authorization_servers"]] == [oauth_stack.issuer]
    assert {"tasks:read", "tasks:write"} <= set(body["scopes_supported"])


def test_without_a_token_the_401_points_to_the_metadata_and_the_scopes(oauth_stack: OAuthStack):
    response = call_tool(oauth_stack.mcp_url, None, "list_tasks")

    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ")
    assert f'resource_metadata="{metadata_url(oauth_stack)}"' in challenge
    assert 'scope="tasks:read tasks:write"' in challenge


def test_a_token_for_another_audience_is_refused_at_mcp(oauth_stack: OAuthStack):
    user = a_user()
    # What the web app would hold without the MCP resource in its audience.
    for_the_app = token(oauth_stack, user, oauth_stack.issuer, "tasks:read tasks:write")
    for_both = token(
        oauth_stack, user, [oauth_stack.issuer, oauth_stack.mcp_url], "tasks:read tasks:write"
    )

    refused = call_tool(oauth_stack.mcp_url, for_the_app, "list_tasks")
    served = call_tool(oauth_stack.mcp_url, for_both, "list_tasks")

    assert refused.status_code == 401
    assert "resource_metadata=" in refused.headers["WWW-Authenticate"]
    assert tool_result(served)["structuredContent"]["tasks"] == []


def test_a_token_without_tasks_write_cannot_add_a_task(oauth_stack: OAuthStack):
    user = a_user()
    read_only = token(oauth_stack, user, oauth_stack.mcp_url, "tasks:read")

    refused = call_tool(oauth_stack.mcp_url, read_only, "add_task", {"title": "Not allowed"})
    listed = call_tool(oauth_stack.mcp_url, read_only, "list_tasks")

    assert refused.status_code == 403
    challenge = refused.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="tasks:write"' in challenge
    assert f'resource_metadata="{metadata_url(oauth_stack)}"' in challenge
    # Reading is what the token allows, and nothing was stored.
    assert tool_result(listed)["structuredContent"]["tasks"] == []
    full = token(oauth_stack, user, [oauth_stack.issuer, oauth_stack.mcp_url], "tasks:read")
    assert rest_tasks(oauth_stack, user, full).json()["tasks"] == []


def test_a_browser_origin_not_allowed_is_refused(oauth_stack: OAuthStack):
    valid = token(oauth_stack, a_user(), oauth_stack.mcp_url, "tasks:read tasks:write")

    foreign = call_tool(
        oauth_stack.mcp_url, valid, "list_tasks", headers={"Origin": "https://evil.example"}
    )
    loopback = call_tool(
        oauth_stack.mcp_url, valid, "list_tasks", headers={"Origin": "http://127.0.0.1:5173"}
    )

    assert foreign.status_code == 403
    assert loopback.status_code == 200


def test_a_host_not_allowed_is_refused(oauth_stack: OAuthStack):
    valid = token(oauth_stack, a_user(), oauth_stack.mcp_url, "tasks:read tasks:write")

    response = call_tool(
        oauth_stack.mcp_url, valid, "list_tasks", headers={"Host": "rebinding.example"}
    )

    assert response.status_code == 421


def test_a_token_in_the_query_string_is_never_accepted(oauth_stack: OAuthStack):
    valid = token(oauth_stack, a_user(), oauth_stack.mcp_url, "tasks:read tasks:write")

    response = call_tool(f"{oauth_stack.mcp_url}?access_token={valid}", None, "list_tasks")

    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert "access_token" in response.text
    assert valid not in response.text
