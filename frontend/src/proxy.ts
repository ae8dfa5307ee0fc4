// Runs before every page (not the API routes: on those Next.js would buffer the whole request body
// for the proxy, before the relays' size limit could refuse it). Sets the page's CSP with a fresh
// nonce, which Next.js reads from the request's CSP header and puts on its scripts.
import { NextResponse, type NextRequest } from "next/server";

import { chatKitDomainKey, isProduction } from "@/lib/server/env";
import { pageSecurityHeaders } from "@/lib/server/security-headers";

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const headers = pageSecurityHeaders({
    nonce,
    chatKit: chatKitDomainKey() !== null,
    production: isProduction(),
    development: process.env.NODE_ENV === "development",
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [
    {
      source: "/((?!api/|\\.well-known/|chatkit|healthz|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
