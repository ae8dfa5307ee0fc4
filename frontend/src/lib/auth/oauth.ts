// The authorization server for MCP clients: Better Auth's OAuth 2.1 provider, issuing JWT access
// tokens for mcp-server (signed with the JWKS keys the services already trust), plus the few
// policies of ours MCP clients need (mcpClientPolicy).
import "server-only";

import { oauthProvider } from "@better-auth/oauth-provider";
import type { BetterAuthPlugin } from "better-auth";
import { createAuthMiddleware, getSessionFromCtx } from "better-auth/api";

import { onlyLoopbackRedirects } from "@/lib/oauth/redirects";
import { SUPPORTED_SCOPES, TASK_SCOPES, withOfflineAccess } from "@/lib/oauth/scopes";
import { mcpResourceUrl, oauthAccessTokenSeconds } from "@/lib/server/env";

export const LOGIN_PAGE = "/sign-in";
export const CONSENT_PAGE = "/oauth/consent";

/** The `oauthProvider` options: public clients register themselves, PKCE S256, `aud` = mcp-server. */
export function oauthProviderOptions() {
  const resource = mcpResourceUrl();
  return {
    loginPage: LOGIN_PAGE,
    consentPage: CONSENT_PAGE,
    signup: { page: "/sign-up" },
    scopes: SUPPORTED_SCOPES,
    // MCP clients register before anyone signs in (RFC 7591); the plugin allows only public
    // (token_endpoint_auth_method "none", PKCE) or secret-holding clients without a session.
    allowDynamicClientRegistration: true,
    allowUnauthenticatedClientRegistration: true,
    grantTypes: ["authorization_code" as const, "refresh_token" as const],
    resources: [{ identifier: resource, name: "Todo tasks", allowedScopes: [...TASK_SCOPES, "offline_access"] }],
    // The configuration is the truth: a changed policy replaces the stored row at start.
    resourceSeedMode: "overwrite" as const,
    clientRegistrationDefaultResources: [resource],
    accessTokenExpiresIn: oauthAccessTokenSeconds(),
    // Per client address; the plugin's default of 5 registrations a minute trips a test suite
    // whose clients all register from one loopback address.
    rateLimit: { register: { window: 60, max: 20 } },
    // Clients register themselves (a registration that carries a session checks "create"); nobody
    // edits, lists, rotates or deletes OAuth clients through the app.
    clientPrivileges: ({ action }: { action: string }) => action === "create" || action === "read",
  };
}

export function authorizationServer() {
  return oauthProvider(oauthProviderOptions());
}

/**
 * Our policies around the plugin, for MCP clients:
 * - they ask for the scopes the resource's metadata lists and may leave out `offline_access`,
 *   without which Better Auth issues no refresh token: the authorize request gets it added before
 *   the plugin signs the request (so the consent page shows it too);
 * - desktop and CLI clients register loopback `http://127.0.0.1:<port>/…` redirect URIs without an
 *   `application_type`, which defaults to "web" and refuses them: such a registration is a native
 *   app's (RFC 8252 §7.3);
 * - deleting a consent (the settings page's "Revoke") also revokes the refresh tokens that client
 *   holds for this user, so it must ask again. Access tokens are JWTs and expire on their own
 *   (OAUTH_ACCESS_TOKEN_SECONDS).
 */
export function mcpClientPolicy(): BetterAuthPlugin {
  return {
    id: "todo-mcp-client-policy",
    async onRequest(request) {
      const url = new URL(request.url);
      if (request.method !== "GET" || !url.pathname.endsWith("/oauth2/authorize")) return;
      const scope = withOfflineAccess(url.searchParams.get("scope"));
      if (scope === null || scope === url.searchParams.get("scope")) return;
      url.searchParams.set("scope", scope);
      return { request: new Request(url, request) };
    },
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === "/oauth2/register",
          handler: createAuthMiddleware(async (ctx) => {
            if (!isBody(ctx.body) || ctx.body.application_type !== undefined) return;
            if (!onlyLoopbackRedirects(ctx.body.redirect_uris)) return;
            return { context: { body: { ...ctx.body, application_type: "native" } } };
          }),
        },
        {
          matcher: (ctx) => ctx.path === "/oauth2/delete-consent",
          handler: createAuthMiddleware(async (ctx) => {
            const session = await getSessionFromCtx(ctx);
            const id: unknown = isBody(ctx.body) ? ctx.body.id : undefined;
            if (!session || typeof id !== "string") return;
            const consent = await ctx.context.adapter.findOne<{ userId: string; clientId: string }>({
              model: "oauthConsent",
              where: [{ field: "id", value: id }],
            });
            // Someone else's consent: the endpoint itself refuses, and nothing is touched here.
            if (!consent || consent.userId !== session.user.id) return;
            await ctx.context.adapter.updateMany({
              model: "oauthRefreshToken",
              where: [
                { field: "userId", value: session.user.id },
                { field: "clientId", value: consent.clientId },
              ],
              update: { revoked: new Date() },
            });
          }),
        },
      ],
    },
  };
}

function isBody(body: unknown): body is Record<string, unknown> {
  return typeof body === "object" && body !== null;
}
