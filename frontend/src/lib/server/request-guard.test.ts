import { describe, expect, it } from "vitest";

import { readBody, refuseCrossSite } from "./request-guard";

const ORIGINS = ["http://127.0.0.1:3000", "http://localhost:3000"];
const URL = "http://127.0.0.1:3000/chatkit";

function post(headers: Record<string, string>, method = "POST"): Request {
  return new Request(URL, { method, headers });
}

describe("refuseCrossSite", () => {
  it.each([
    ["the app's origin", { origin: "http://127.0.0.1:3000" }],
    ["a trusted twin", { origin: "http://localhost:3000" }],
    ["no Origin, Sec-Fetch-Site same-origin", { "sec-fetch-site": "same-origin" }],
  ])("lets a JSON POST from %s through", (_case, headers) => {
    const request = post({ ...headers, "content-type": "application/json", "content-length": "2" });
    expect(refuseCrossSite(request, ORIGINS)).toBeNull();
  });

  it.each([
    ["another origin", { origin: "https://evil.example" }],
    ["the app's host on another scheme", { origin: "https://127.0.0.1:3000" }],
    ["a null origin", { origin: "null" }],
    ["no Origin, cross-site", { "sec-fetch-site": "cross-site" }],
    ["no Origin, same-site", { "sec-fetch-site": "same-site" }],
    ["neither header", {}],
  ])("refuses a POST from %s with 403 problem JSON", async (_case, headers) => {
    const response = refuseCrossSite(post({ ...headers, "content-type": "application/json" }), ORIGINS);
    expect(response?.status).toBe(403);
    expect(response?.headers.get("content-type")).toBe("application/problem+json");
    expect(await response?.json()).toMatchObject({ status: 403, title: "Forbidden" });
  });

  it.each(["PUT", "PATCH", "DELETE"])("checks %s too", (method) => {
    expect(refuseCrossSite(post({ origin: "https://evil.example" }, method), ORIGINS)?.status).toBe(403);
  });

  it("leaves GET alone (reads change nothing)", () => {
    expect(refuseCrossSite(new Request(URL, { headers: { origin: "https://evil.example" } }), ORIGINS)).toBeNull();
  });

  it.each(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp"])(
    "refuses a body sent as %s with 415",
    async (contentType) => {
      const request = post({ origin: ORIGINS[0], "content-type": contentType, "content-length": "2" });
      const response = refuseCrossSite(request, ORIGINS);
      expect(response?.status).toBe(415);
      expect(await response?.json()).toMatchObject({ status: 415 });
    },
  );

  it("refuses a chunked body without a content type", () => {
    expect(refuseCrossSite(post({ origin: ORIGINS[0], "transfer-encoding": "chunked" }), ORIGINS)?.status).toBe(415);
  });

  it("accepts JSON with parameters, in any case", () => {
    const request = post({
      origin: ORIGINS[0],
      "content-type": "Application/JSON; charset=utf-8",
      "content-length": "2",
    });
    expect(refuseCrossSite(request, ORIGINS)).toBeNull();
  });

  it("needs no content type on a request without a body (tick off, delete)", () => {
    expect(refuseCrossSite(post({ origin: ORIGINS[0] }, "PATCH"), ORIGINS)).toBeNull();
    expect(refuseCrossSite(post({ origin: ORIGINS[0], "content-length": "0" }, "DELETE"), ORIGINS)).toBeNull();
  });
});

/** A request whose body arrives in `chunks` and records how many of them were pulled. */
function streamed(chunks: Uint8Array[], headers: Record<string, string> = {}) {
  const pulls = { count: 0 };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = chunks[pulls.count++];
        if (next) controller.enqueue(next);
        else controller.close();
      },
    },
    { highWaterMark: 0 }, // pulled only when read
  );
  const request = new Request(URL, { method: "POST", body, headers, duplex: "half" } as RequestInit);
  return { request, pulls };
}

describe("readBody", () => {
  it("returns the bytes of a body within the limit", async () => {
    const { request } = streamed([new TextEncoder().encode('{"a":'), new TextEncoder().encode("1}")]);
    const body = await readBody(request, 100);
    expect(new TextDecoder().decode(body as Uint8Array)).toBe('{"a":1}');
  });

  it("accepts a body of exactly the limit", async () => {
    const { request } = streamed([new Uint8Array(10)]);
    expect((await readBody(request, 10)) as Uint8Array).toHaveLength(10);
  });

  it("refuses a declared Content-Length over the limit without reading the body", async () => {
    const { request, pulls } = streamed([new Uint8Array(10)], { "content-length": "1048577" });
    const response = (await readBody(request, 1024 * 1024)) as Response;
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ status: 413, detail: "The request body exceeds 1048576 bytes." });
    expect(pulls.count).toBe(0);
  });

  it("stops reading a streamed body at the limit", async () => {
    const { request, pulls } = streamed(Array.from({ length: 100 }, () => new Uint8Array(4)));
    const response = (await readBody(request, 10)) as Response;
    expect(response.status).toBe(413);
    expect(pulls.count).toBeLessThan(10);
  });

  it("returns undefined for an empty body and for methods that carry none", async () => {
    expect(await readBody(streamed([]).request, 10)).toBeUndefined();
    expect(await readBody(new Request(URL), 10)).toBeUndefined();
    expect(await readBody(new Request(URL, { method: "DELETE", body: "x" }), 10)).toBeUndefined();
  });
});
