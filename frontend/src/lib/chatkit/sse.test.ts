import { describe, expect, it } from "vitest";

import { readSse, SseParser } from "./sse";

function feed(chunks: string[]) {
  const parser = new SseParser();
  const messages = chunks.flatMap((chunk) => parser.push(chunk));
  return [...messages, ...parser.finish()];
}

describe("SseParser", () => {
  it("parses one data frame", () => {
    expect(feed(['data: {"type":"a"}\n\n'])).toEqual([{ event: "message", data: '{"type":"a"}' }]);
  });

  it("joins frames split at any point, including inside CRLF", () => {
    const whole = 'data: {"type":"one"}\r\n\r\ndata: {"type":"two"}\r\n\r\n';
    for (let cut = 1; cut < whole.length; cut++) {
      const messages = feed([whole.slice(0, cut), whole.slice(cut)]);
      expect(messages.map((m) => m.data), `cut at ${cut}`).toEqual(['{"type":"one"}', '{"type":"two"}']);
    }
  });

  it("delivers frames one character at a time", () => {
    const whole = "data: hello\n\ndata: world\n\n";
    expect(feed([...whole]).map((m) => m.data)).toEqual(["hello", "world"]);
  });

  it("joins multi-line data with newlines", () => {
    expect(feed(["data: line one\ndata: line two\n\n"])[0].data).toBe("line one\nline two");
  });

  it("ignores comments and keeps event names and ids", () => {
    const [message] = feed([": keep-alive\nevent: custom\nid: 7\ndata: x\n\n"]);
    expect(message).toEqual({ event: "custom", data: "x", id: "7" });
  });

  it("skips frames without data", () => {
    expect(feed(["event: ping\n\n", "data: real\n\n"]).map((m) => m.data)).toEqual(["real"]);
  });

  it("delivers a final frame missing its blank line at end of stream", () => {
    expect(feed(["data: tail"]).map((m) => m.data)).toEqual(["tail"]);
  });

  it("keeps a colon-free value and strips only one leading space", () => {
    expect(feed(["data:  two spaces\n\n"])[0].data).toBe(" two spaces");
  });
});

describe("readSse", () => {
  it("decodes UTF-8 split across byte chunks", async () => {
    const bytes = new TextEncoder().encode("data: héllo ✓\n\n");
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    const messages = [];
    for await (const message of readSse(stream)) messages.push(message.data);
    expect(messages).toEqual(["héllo ✓"]);
  });
});
