// The official TypeScript MCP SDK signing a user in by itself, given only MCP_URL: the 401 leads it
// to the protected-resource and authorization-server metadata, it registers dynamically, and it
// receives the code on a loopback redirect (RFC 8252), like a desktop MCP client.
//
// Protocol with the test: one JSON object per line on stdout ({"event": ...}), one JSON command
// per line on stdin ({"op": "call" | "refresh" | "revoke" | "quit", ...}).
import { randomUUID } from "node:crypto";
import http from "node:http";
import readline from "node:readline";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { UnauthorizedError, auth, refreshAuthorization } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const mcpUrl = new URL(process.env.MCP_URL ?? "");
const clientName = process.env.CLIENT_NAME ?? "Interop TS client";
const emit = (event, data = {}) => console.log(JSON.stringify({ event, ...data }));

/** What the SDK asks a client to keep; in memory, and each step reported to the test. */
class MemoryOAuthProvider {
  constructor(redirectUrl) {
    this.redirectUrl = redirectUrl;
    this.expectedState = undefined;
    this.client = undefined;
    this.stored = undefined;
    this.verifier = undefined;
    this.discovery = undefined;
  }

  get clientMetadata() {
    return {
      client_name: clientName,
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
      // A desktop app with a loopback redirect (RFC 8252); "web" clients need https redirects.
      application_type: "native",
    };
  }

  state() {
    this.expectedState = randomUUID();
    return this.expectedState;
  }

  clientInformation() {
    return this.client;
  }

  saveClientInformation(information) {
    this.client = information;
    emit("registered", { client: information });
  }

  tokens() {
    return this.stored;
  }

  saveTokens(tokens) {
    this.stored = tokens;
    // The access token goes to the test so it can read its claims; the refresh token stays here.
    emit("tokens", {
      access_token: tokens.access_token,
      scope: tokens.scope ?? null,
      expires_in: tokens.expires_in ?? null,
      has_refresh_token: Boolean(tokens.refresh_token),
    });
  }

  redirectToAuthorization(authorizationUrl) {
    emit("authorize", { url: authorizationUrl.href });
  }

  saveCodeVerifier(verifier) {
    this.verifier = verifier;
  }

  codeVerifier() {
    return this.verifier;
  }

  saveDiscoveryState(state) {
    this.discovery = state;
    emit("discovered", {
      authorization_server: state.authorizationServerUrl,
      resource_metadata: state.resourceMetadata ?? null,
      authorization_server_metadata: state.authorizationServerMetadata ?? null,
    });
  }

  discoveryState() {
    return this.discovery;
  }

  invalidateCredentials(scope) {
    if (scope === "all" || scope === "tokens") this.stored = undefined;
    if (scope === "all" || scope === "client") this.client = undefined;
    if (scope === "all" || scope === "verifier") this.verifier = undefined;
    if (scope === "all" || scope === "discovery") this.discovery = undefined;
  }
}

/** The loopback redirect target: resolves each code whose state matches the one just sent. */
async function startCallbackServer(provider) {
  let deliver;
  const codes = { next: () => new Promise((resolve) => (deliver = resolve)) };
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const code = url.searchParams.get("code");
    const fine = url.pathname === "/callback" && code && url.searchParams.get("state") === provider.expectedState;
    response.writeHead(fine ? 200 : 400, { "content-type": "text/plain; charset=utf-8" });
    response.end(fine ? "Signed in: you can close this tab." : "Not the answer this client waits for.");
    if (fine) deliver?.(code);
    else emit("callback_refused", { path: url.pathname, error: url.searchParams.get("error") });
  });
  await new Promise((resolve) => server.listen(Number(process.env.CALLBACK_PORT ?? 0), "127.0.0.1", resolve));
  return { server, codes, url: `http://127.0.0.1:${server.address().port}/callback` };
}

const newClient = () => new Client({ name: "todo-interop-oauth-ts", version: "0.1.0" });

/** Connect as any MCP client app does with the SDK: the first attempt meets the 401, and the SDK
 * discovers, registers and sends the user to consent; the code from the loopback redirect is
 * exchanged with the PKCE verifier, and the second attempt carries the token. */
async function connect(provider, callback) {
  const code = callback.codes.next();
  const firstTry = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
  try {
    const client = newClient();
    await client.connect(firstTry);
    return client;
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
  }
  await firstTry.finishAuth(await code);
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
  return client;
}

function describe(error) {
  return {
    name: error?.name ?? "Error",
    code: error?.errorCode ?? error?.code ?? null,
    message: String(error?.message ?? error),
  };
}

async function call(client, name, args) {
  try {
    const result = await client.callTool({ name, arguments: args ?? {} });
    return {
      isError: result.isError ?? false,
      structured: result.structuredContent ?? null,
      text: result.content?.[0]?.text ?? null,
    };
  } catch (error) {
    return { error: describe(error) };
  }
}

/** The SDK's refresh grant with the stored refresh token, for the resource discovered at the start. */
async function refresh(provider) {
  const { authorizationServerUrl, authorizationServerMetadata, resourceMetadata } = provider.discovery;
  try {
    const tokens = await refreshAuthorization(authorizationServerUrl, {
      metadata: authorizationServerMetadata,
      clientInformation: provider.client,
      refreshToken: provider.stored.refresh_token,
      resource: new URL(resourceMetadata.resource),
    });
    provider.saveTokens({ ...tokens, refresh_token: tokens.refresh_token ?? provider.stored.refresh_token });
    emit("refreshed");
  } catch (error) {
    emit("refresh_refused", { error: describe(error) });
    // What the SDK does next when it holds no usable token: send the user to authorize again.
    provider.invalidateCredentials("tokens");
    await auth(provider, { serverUrl: mcpUrl });
  }
}

/** RFC 7009: a public client revokes its refresh token (the SDK has no helper for it). */
async function revoke(provider) {
  const endpoint = provider.discovery.authorizationServerMetadata.revocation_endpoint;
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      token: provider.stored.refresh_token,
      token_type_hint: "refresh_token",
      client_id: provider.client.client_id,
    }),
  });
  emit("revoked", { status: response.status });
}

async function main() {
  const provider = new MemoryOAuthProvider("");
  // A registration made earlier (another user's run of the same client) is reused, not repeated.
  if (process.env.CLIENT_INFORMATION) provider.client = JSON.parse(process.env.CLIENT_INFORMATION);
  const callback = await startCallbackServer(provider);
  provider.redirectUrl = callback.url;
  const client = await connect(provider, callback);
  const { tools } = await client.listTools();
  emit("connected", { tools: tools.map((tool) => tool.name) });

  for await (const line of readline.createInterface({ input: process.stdin })) {
    const command = JSON.parse(line);
    if (command.op === "call") emit("result", await call(client, command.name, command.arguments));
    else if (command.op === "refresh") await refresh(provider);
    else if (command.op === "revoke") await revoke(provider);
    else if (command.op === "quit") break;
  }
  await client.close();
  // The browser keeps its connection to the loopback server alive: close it too, or Node waits.
  callback.server.closeAllConnections();
  callback.server.close();
  process.stdin.destroy();
}

main().catch((error) => {
  emit("failed", { error: describe(error) });
  process.exit(1);
});
