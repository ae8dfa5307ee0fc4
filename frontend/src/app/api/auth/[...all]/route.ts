import { toNextJsHandler } from "better-auth/next-js";

import { getAuth } from "@/lib/auth/server";
import { maxRequestBodyBytes } from "@/lib/server/env";
import { readBody } from "@/lib/server/request-guard";

// Better Auth checks the origin and the JSON content type itself (trustedOrigins); it would read
// any body whole, so the body is read here first, up to MAX_REQUEST_BODY_BYTES.
async function handle(request: Request): Promise<Response> {
  if (request.method === "GET" || request.method === "HEAD") return getAuth().handler(request);
  const body = await readBody(request, maxRequestBodyBytes());
  if (body instanceof Response) return body;
  const bounded = new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body,
    signal: request.signal,
  });
  return getAuth().handler(bounded);
}

export const { GET, POST, PATCH, PUT, DELETE } = toNextJsHandler(handle);
