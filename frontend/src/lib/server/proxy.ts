// Same-origin proxy to the Python services: the browser never holds a service token, and the user
// id in every upstream path comes from the token we mint, never from the browser.
import "server-only";

import { serviceToken } from "@/lib/auth/session";
import { timeZoneFromCookies } from "@/lib/time-zone";

import { maxRequestBodyBytes, trustedOrigins } from "./env";
import { problem } from "./problem";
import { readBody, refuseCrossSite } from "./request-guard";

export type Caller = { userId: string; token: string };

export type Admitted = { caller: Caller; body: Uint8Array<ArrayBuffer> | undefined };

/**
 * Every relayed request passes these in order, and the first refusal is the answer: same-origin
 * JSON (403/415), a signed-in caller (401, before any byte of the body is read), a body within
 * MAX_REQUEST_BODY_BYTES (413).
 */
export async function admit(request: Request): Promise<Admitted | Response> {
  const refused = refuseCrossSite(request, trustedOrigins());
  if (refused) return refused;
  const caller = await authorizeCaller(request);
  if (caller instanceof Response) return caller;
  const body = await readBody(request, maxRequestBodyBytes());
  if (body instanceof Response) return body;
  return { caller, body };
}

/** The signed-in caller and a fresh JWT for them, or a 401 problem to return as is. */
export async function authorizeCaller(request: Request): Promise<Caller | Response> {
  const token = await serviceToken(request.headers);
  if (!token) return problem(401, "Unauthorized", "Sign in to continue.");
  const userId = subjectOf(token);
  if (!userId) return problem(401, "Unauthorized", "Sign in to continue.");
  return { userId, token };
}

/** The `sub` of a token this server has just signed (so it needs no verification here). */
export function subjectOf(token: string): string | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sub?: unknown };
    return typeof claims.sub === "string" && claims.sub ? claims.sub : null;
  } catch {
    return null;
  }
}

const PASSED_RESPONSE_HEADERS = ["content-type", "x-request-id", "www-authenticate", "retry-after"];

type RelayOptions = { method?: string; body?: Uint8Array<ArrayBuffer>; serviceName: string };

/** Sends the request upstream with the caller's token and streams the answer back unbuffered. */
export async function relay(request: Request, url: string, caller: Caller, options: RelayOptions): Promise<Response> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${caller.token}`,
    Accept: request.headers.get("accept") ?? "*/*",
  };
  const requestId = request.headers.get("x-request-id");
  if (requestId) headers["X-Request-ID"] = requestId;
  const timeZone = timeZoneFromCookies(request.headers.get("cookie"));
  if (timeZone) headers["X-Time-Zone"] = timeZone;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  let upstream: Response;
  try {
    upstream = await fetch(url, {
      method: options.method ?? request.method,
      headers,
      body: options.body,
      signal: request.signal,
      cache: "no-store",
      redirect: "manual",
    });
  } catch (error) {
    if (request.signal.aborted) throw error;
    return problem(502, "Bad Gateway", `The ${options.serviceName} is unavailable right now.`);
  }
  const responseHeaders = new Headers({ "Cache-Control": "no-store" });
  for (const name of PASSED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value) responseHeaders.set(name, value);
  }
  if (upstream.headers.get("content-type")?.startsWith("text/event-stream")) {
    responseHeaders.set("Cache-Control", "no-cache, no-transform");
    responseHeaders.set("X-Accel-Buffering", "no");
  }
  const body = upstream.status === 204 || upstream.status === 304 ? null : upstream.body;
  return new Response(body, { status: upstream.status, headers: responseHeaders });
}
