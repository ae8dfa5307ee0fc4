import { describe, expect, it } from "vitest";

import { ChatKitClient, ChatKitRequestError, type FetchLike } from "./client";
import { requests } from "./requests";

function sseResponse(chunks: string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Response(body, { headers: { "Content-Type": "text/event-stream" } });
}

function recordingFetch(response: Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl: FetchLike = async (url, init) => {
    calls.push({ url, init });
    return response;
  };
  return { calls, fetchImpl };
}

describe("ChatKitClient", () => {
  it("posts the request as JSON to the endpoint and parses the JSON answer", async () => {
    const page = { data: [], has_more: false, after: null };
    const { calls, fetchImpl } = recordingFetch(Response.json(page));
    const client = new ChatKitClient("/chatkit", fetchImpl);
    await expect(client.call(requests.listThreads({ limit: 5 }))).resolves.toEqual(page);
    expect(calls[0].url).toBe("/chatkit");
    expect(calls[0].init.method).toBe("POST");
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ type: "threads.list", params: { order: "desc", limit: 5 }, metadata: {} });
  });

  it("streams events split across chunks", async () => {
    const { fetchImpl } = recordingFetch(
      sseResponse(['data: {"type":"progress_upd', 'ate","text":"Working"}\n', '\ndata: {"type":"stream_options","stream_options":{"allow_cancel":true}}\n\n']),
    );
    const client = new ChatKitClient("/chatkit", fetchImpl);
    const events = [];
    for await (const event of client.stream(requests.createThread("hi"))) events.push(event.type);
    expect(events).toEqual(["progress_update", "stream_options"]);
  });

  it("raises the problem detail of a failed request", async () => {
    const problem = Response.json({ title: "Not Found", detail: "Conversation not found.", status: 404 }, { status: 404 });
    const client = new ChatKitClient("/chatkit", recordingFetch(problem).fetchImpl);
    const error = await client.call(requests.getThread("missing")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatKitRequestError);
    expect((error as ChatKitRequestError).message).toBe("Conversation not found.");
    expect((error as ChatKitRequestError).retryable).toBe(false);
  });

  it("treats a network failure as retryable", async () => {
    const client = new ChatKitClient("/chatkit", async () => {
      throw new TypeError("fetch failed");
    });
    const error = (await client.call(requests.listThreads()).catch((e: unknown) => e)) as ChatKitRequestError;
    expect(error.status).toBe(0);
    expect(error.retryable).toBe(true);
  });

  it("rejects a malformed event", async () => {
    const client = new ChatKitClient("/chatkit", recordingFetch(sseResponse(["data: not json\n\n"])).fetchImpl);
    const consume = async () => {
      for await (const _event of client.stream(requests.createThread("hi"))) {
        // drain
      }
    };
    await expect(consume()).rejects.toThrow(/malformed/);
  });
});
