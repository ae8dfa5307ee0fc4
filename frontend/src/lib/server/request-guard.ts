// What a state-changing route checks before it reads the body: the request comes from this app's
// own pages and carries JSON (a cross-site form or `fetch` without CORS can do neither), and the
// body is read only up to a limit.
import { problem } from "./problem";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const BODYLESS = new Set(["GET", "HEAD", "DELETE"]);

/**
 * 403 unless the Origin header is one of `origins` (or, without Origin, the browser's
 * `Sec-Fetch-Site` says same-origin); 415 when a body is sent as anything but JSON. Null: go on.
 */
export function refuseCrossSite(request: Request, origins: readonly string[]): Response | null {
  if (!STATE_CHANGING.has(request.method)) return null;
  const origin = request.headers.get("origin");
  const sameOrigin =
    origin !== null ? origins.includes(origin) : request.headers.get("sec-fetch-site") === "same-origin";
  if (!sameOrigin) return problem(403, "Forbidden", "The Origin header must be this app's origin.");
  if (hasBody(request) && mediaType(request.headers.get("content-type")) !== "application/json") {
    return problem(415, "Unsupported Media Type", "The Content-Type header must be application/json.");
  }
  return null;
}

function hasBody(request: Request): boolean {
  const length = request.headers.get("content-length");
  return (length !== null && length.trim() !== "0") || request.headers.has("transfer-encoding");
}

function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

function tooLarge(limit: number): Response {
  return problem(413, "Content Too Large", `The request body exceeds ${limit} bytes.`);
}

/**
 * The body, read chunk by chunk and given up as soon as it passes `limit` bytes (a declared
 * Content-Length over the limit is refused before reading anything): a 413 problem, or the bytes,
 * or undefined when there are none or the method carries none.
 */
export async function readBody(
  request: Request,
  limit: number,
): Promise<Uint8Array<ArrayBuffer> | undefined | Response> {
  if (BODYLESS.has(request.method) || request.body === null) return undefined;
  if (Number(request.headers.get("content-length") ?? 0) > limit) return tooLarge(limit);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return tooLarge(limit);
    }
    chunks.push(value);
  }
  if (size === 0) return undefined;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
