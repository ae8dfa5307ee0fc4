"""Issue 16: the official TypeScript and Python MCP SDK clients, given only the MCP URL, sign a user
in with OAuth 2.1 (discovery from the 401, dynamic registration, consent in Chromium, PKCE), manage
that user's tasks, refresh their token, and are refused once the grant is revoked."""

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
from playwright.sync_api import expect

from tests.interop.conftest import OAuthStack, User, unique_client_name
from tests.interop.mcp_http import call_tool, tool_result
from tests.interop.oauth_clients import OAuthMcpClient

TOOLS = {
    "add_task",
    "list_tasks",
    "complete_task",
    "delete_task",
    "update_task",
    "complete_tasks",
    "delete_tasks",
}
SCOPES = {"tasks:read", "tasks:write"}
# The documented default of OAUTH_ACCESS_TOKEN_SECONDS: what a revoked grant's last token may live.
ACCESS_TOKEN_SECONDS = 900


def claims(token: str) -> dict[str, Any]:
    """A JWT's claims (the services verify them; here we only read what was issued)."""
    return jwt.decode(token, options={"verify_signature": False})


def audiences(token: str) -> list[str]:
    aud = claims(token)["aud"]
    return [aud] if isinstance(aud, str) else list(aud)


def signed_in(
    client: OAuthMcpClient, user: User, client_name: str, *, sign_in: bool = False
) -> str:
    """The user approves the client's request; returns the authorization URL it asked for."""
    url = client.authorization_url()
    user.approve(url, client_name, sign_in=sign_in)
    assert set(client.connected_tools()) == TOOLS
    return url


def titles(tasks: list[dict[str, Any]]) -> list[str]:
    return sorted(str(task["title"]) for task in tasks)


def test_a_client_given_only_the_mcp_url_signs_the_user_in_and_manages_their_tasks(
    start_client: Callable[[str], OAuthMcpClient],
    new_user: Callable[[], User],
    oauth_stack: OAuthStack,
):
    name = unique_client_name("signs in")
    user = new_user()
    client = start_client(name)
    url = signed_in(client, user, name)

    # Discovered from the 401 alone: the resource's metadata names our authorization server.
    resource, server = client.metadata["resource"], client.metadata["authorization_server"]
    assert resource["resource"] == oauth_stack.mcp_url
    assert [s.rstrip("/") for s in resource["authorization_servers"]] == [oauth_stack.issuer]
    assert set(resource["scopes_supported"]) >= SCOPES
    assert server["issuer"].rstrip("/") == oauth_stack.issuer
    assert server["code_challenge_methods_supported"] == ["S256"]
    # Registered dynamically as a public client: nothing secret to keep.
    assert client.registration["token_endpoint_auth_method"] == "none"
    assert "client_secret" not in client.registration
    asked = {key: values[0] for key, values in parse_qs(urlparse(url).query).items()}
    assert asked["code_challenge_method"] == "S256"
    assert asked["client_id"] == client.registration["client_id"]
    assert asked["resource"] == oauth_stack.mcp_url
    assert set(asked["scope"].split()) >= SCOPES

    # The token is this user's, for this resource, with the scopes granted, for this client.
    issued = claims(client.access_token)
    assert issued["sub"] == user.id
    assert issued["iss"].rstrip("/") == oauth_stack.issuer
    assert oauth_stack.mcp_url in audiences(client.access_token)
    assert set(issued["scope"].split()) >= SCOPES
    assert client.registration["client_id"] in {issued.get("azp"), issued.get("client_id")}

    added = client.call("add_task", {"title": f"Written by the {client.name}", "tags": ["oauth"]})
    assert added["isError"] is False, added
    assert added["structured"]["status"] == "created"
    # Stored for THAT user: the web app's own token sees it through the REST API.
    assert titles(user.tasks()) == [f"Written by the {client.name}"]
    listed = client.call("list_tasks", {"tag": "oauth"})
    assert [task["id"] for task in listed["structured"]["tasks"]] == [
        added["structured"]["task_id"]
    ]
    # The web app's own token (what the gateway forwards) is good at /mcp too, for the same user.
    first_party = tool_result(
        call_tool(oauth_stack.mcp_url, user.first_party_token(), "list_tasks")
    )
    assert titles(first_party["structuredContent"]["tasks"]) == [f"Written by the {client.name}"]

    before = client.access_token
    assert client.refresh()["refreshed"] is True
    assert client.access_token != before
    assert claims(client.access_token)["sub"] == user.id
    again = client.call("list_tasks", {"tag": "oauth"})
    assert again["structured"]["count"] == 1


def test_the_clients_own_revocation_ends_its_refreshes(
    start_client: Callable[[str], OAuthMcpClient],
    new_user: Callable[[], User],
    oauth_stack: OAuthStack,
):
    name = unique_client_name("revokes")
    user = new_user()
    client = start_client(name)
    signed_in(client, user, name)
    last_token = client.access_token

    assert client.revoke() == 200
    refused = client.refresh()

    assert refused["refreshed"] is False
    assert refused["reauthorization_url"].startswith(f"{oauth_stack.issuer}/")
    assert_stateless_until_expiry(last_token, oauth_stack)


def test_revoking_the_client_on_the_settings_page_ends_its_refreshes(
    start_client: Callable[[str], OAuthMcpClient],
    new_user: Callable[[], User],
    oauth_stack: OAuthStack,
):
    name = unique_client_name("settings")
    user = new_user()
    client = start_client(name)
    signed_in(client, user, name)
    last_token = client.access_token

    user.revoke_in_settings(name)
    refused = client.refresh()

    assert refused["refreshed"] is False
    # The client has to ask again, and the user is asked again: the consent is gone.
    user.page.goto(refused["reauthorization_url"])
    expect(user.page.get_by_role("heading", level=1)).to_have_text(
        f"{name} wants to use your account"
    )
    assert_stateless_until_expiry(last_token, oauth_stack)


def assert_stateless_until_expiry(token: str, stack: OAuthStack) -> None:
    """A JWT access token cannot be recalled: the resource server verifies it offline, so the one
    issued before the revocation keeps working until it expires — which is why it is short-lived."""
    issued = claims(token)
    assert issued["exp"] - issued["iat"] <= ACCESS_TOKEN_SECONDS
    assert tool_result(call_tool(stack.mcp_url, token, "list_tasks")).get("isError") is not True


def test_two_users_of_one_registered_client_see_only_their_own_tasks(
    start_client: Callable[..., OAuthMcpClient],
    new_user: Callable[[], User],
    oauth_stack: OAuthStack,
):
    name = unique_client_name("two users")
    alice, bob = new_user(), new_user()
    first = start_client(name)
    signed_in(first, alice, name)
    assert first.call("add_task", {"title": "Alice's errand"})["isError"] is False
    registration, alice_token = first.registration, first.access_token
    first.close()  # frees the loopback port the registration names

    second = start_client(name, registration)
    bob.sign_out()  # the authorization starts at the sign-in page, then comes back to consent
    signed_in(second, bob, name, sign_in=True)
    assert second.call("add_task", {"title": "Bob's errand"})["isError"] is False

    bobs = second.call("list_tasks", {})["structured"]["tasks"]
    alices = tool_result(call_tool(oauth_stack.mcp_url, alice_token, "list_tasks"))
    assert titles(bobs) == ["Bob's errand"]
    assert titles(alices["structuredContent"]["tasks"]) == ["Alice's errand"]
    assert titles(alice.tasks()) == ["Alice's errand"]
    assert titles(bob.tasks()) == ["Bob's errand"]
    # One client, two grants: the same client id, each token its own user's.
    alice_claims, bob_claims = claims(alice_token), claims(second.access_token)
    assert {alice_claims["sub"], bob_claims["sub"]} == {alice.id, bob.id}
    client_id = registration["client_id"]
    assert client_id in {alice_claims.get("azp"), alice_claims.get("client_id")}
    assert client_id in {bob_claims.get("azp"), bob_claims.get("client_id")}
