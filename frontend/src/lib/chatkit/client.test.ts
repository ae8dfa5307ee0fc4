import { describe, expect, it } from "vitest";

import { ChatKitClient, ChatKitRequestError, type FetchLike } from "./client";
import { requests } from "./requests";
import { emptySchema, itemsPageSchema, type ThreadStreamEvent } from "./schemas";

function sseResponse(chunks: (string | Uint8Array)[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
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

async function streamed(chunks: (string | Uint8Array)[]): Promise<ThreadStreamEvent[]> {
  const client = new ChatKitClient("/chatkit", recordingFetch(sseResponse(chunks)).fetchImpl);
  const events = [];
  for await (const event of client.stream(requests.createThread("hi"))) events.push(event);
  return events;
}

const progress = (text: string) => `data: ${JSON.stringify({ type: "progress_update", text })}`;

describe("ChatKitClient.call", () => {
  it("posts the request as JSON to the endpoint and returns the checked answer", async () => {
    const page = { data: [], has_more: false };
    const { calls, fetchImpl } = recordingFetch(Response.json(page));
    const client = new ChatKitClient("/chatkit", fetchImpl);
    await expect(client.call(requests.listItems("thr_1", { limit: 5 }), itemsPageSchema)).resolves.toEqual(page);
    expect(calls[0].url).toBe("/chatkit");
    expect(calls[0].init.method).toBe("POST");
    expect(JSON.parse(String(calls[0].init.body))).toEqual({
      type: "items.list",
      params: { thread_id: "thr_1", order: "asc", limit: 5 },
      metadata: {},
    });
  });

  it("rejects an answer that does not match its schema", async () => {
    const client = new ChatKitClient("/chatkit", recordingFetch(Response.json({ data: "nope" })).fetchImpl);
    const error = await client.call(requests.listItems("thr_1"), itemsPageSchema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatKitRequestError);
    expect((error as ChatKitRequestError).message).toBe("The assistant sent an invalid answer to items.list.");
  });

  it("raises the problem detail of a failed request", async () => {
    const problem = Response.json(
      { title: "Not Found", detail: "Conversation not found.", status: 404 },
      { status: 404 },
    );
    const client = new ChatKitClient("/chatkit", recordingFetch(problem).fetchImpl);
    const error = await client.call(requests.deleteThread("missing"), emptySchema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatKitRequestError);
    expect((error as ChatKitRequestError).message).toBe("Conversation not found.");
    expect((error as ChatKitRequestError).retryable).toBe(false);
  });

  it("treats a network failure as retryable", async () => {
    const client = new ChatKitClient("/chatkit", async () => {
      throw new TypeError("fetch failed");
    });
    const error = (await client
      .call(requests.deleteThread("thr_1"), emptySchema)
      .catch((e: unknown) => e)) as ChatKitRequestError;
    expect(error.status).toBe(0);
    expect(error.retryable).toBe(true);
  });
});

describe("ChatKitClient.stream", () => {
  it("yields events split across chunks at any point, including inside CRLF", async () => {
    const whole = `${progress("one")}\r\n\r\n${progress("two")}\r\n\r\n`;
    for (let cut = 1; cut < whole.length; cut++) {
      const events = await streamed([whole.slice(0, cut), whole.slice(cut)]);
      expect(events, `cut at ${cut}`).toEqual([
        { type: "progress_update", text: "one" },
        { type: "progress_update", text: "two" },
      ]);
    }
  });

  it("decodes UTF-8 split across byte chunks", async () => {
    const bytes = new TextEncoder().encode(`${progress("héllo ✓")}\n\n`);
    const events = await streamed([...bytes].map((byte) => new Uint8Array([byte])));
    expect(events).toEqual([{ type: "progress_update", text: "héllo ✓" }]);
  });

  it("ignores comments and skips events it does not act on", async () => {
    const events = await streamed([
      ": keep-alive\n\n",
      'data: {"type":"stream_options","stream_options":{"allow_cancel":true}}\n\n',
      `${progress("Working")}\n\n`,
    ]);
    expect(events.map((event) => event.type)).toEqual(["progress_update"]);
  });

  it("rejects a malformed event", async () => {
    await expect(streamed(["data: not json\n\n"])).rejects.toThrow(/malformed/);
  });

  it("rejects an event that does not match its schema", async () => {
    await expect(streamed(['data: {"type":"thread.item.removed"}\n\n'])).rejects.toThrow(
      "The assistant sent an invalid thread.item.removed event.",
    );
  });
});
