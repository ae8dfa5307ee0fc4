// The authorization server's metadata documents at the app's root, where RFC 8414 and OpenID
// discovery look for an issuer without a path. Public, and readable from any origin (browser-based
// MCP clients fetch them cross-origin, with a preflight when they add MCP-Protocol-Version).
import "server-only";

import { oauthProviderAuthServerMetadata, oauthProviderOpenIdConfigMetadata } from "@better-auth/oauth-provider";

import { getAuth } from "@/lib/auth/server";

const CORS = { "Access-Control-Allow-Origin": "*" };

export function authorizationServerMetadata(request: Request): Promise<Response> {
  return oauthProviderAuthServerMetadata(getAuth(), { headers: CORS })(request);
}

export function openIdConfiguration(request: Request): Promise<Response> {
  return oauthProviderOpenIdConfigMetadata(getAuth(), { headers: CORS })(request);
}

/** The answer to a CORS preflight for a metadata document. */
export function metadataPreflight(): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...CORS,
      "Access-Control-Allow-Methods": "GET, OPTIONS",
      "Access-Control-Allow-Headers": "*",
      "Access-Control-Max-Age": "86400",
    },
  });
}
