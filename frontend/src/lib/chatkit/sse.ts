// Incremental parser for `text/event-stream` (the subset ChatKit uses: `data:` lines, blank-line
// terminated). Chunks may split anywhere — inside a line, inside "\r\n", inside a UTF-8 sequence
// (the decoder handles that).

export type SseMessage = { event: string; data: string; id?: string };

export class SseParser {
  private buffer = "";
  private dataLines: string[] = [];
  private eventName = "message";
  private lastId: string | undefined;
  private pendingCarriageReturn = false;

  /** Feed a chunk of text; returns the messages completed by it. */
  push(chunk: string): SseMessage[] {
    let text = chunk;
    if (this.pendingCarriageReturn) {
      this.pendingCarriageReturn = false;
      if (text.startsWith("\n")) text = text.slice(1);
    }
    this.buffer += text;
    const messages: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      if (match[0] === "\r" && match.index === this.buffer.length - 1) {
        // A lone "\r" at the end may be the first half of "\r\n".
        this.pendingCarriageReturn = true;
      }
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const message = this.processLine(line);
      if (message) messages.push(message);
    }
    return messages;
  }

  /** End of stream: a message without its terminating blank line is still delivered. */
  finish(): SseMessage[] {
    const messages: SseMessage[] = [];
    if (this.buffer.length > 0) {
      const message = this.processLine(this.buffer);
      this.buffer = "";
      if (message) messages.push(message);
    }
    const last = this.dispatch();
    if (last) messages.push(last);
    return messages;
  }

  private processLine(line: string): SseMessage | null {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.dataLines.push(value);
    else if (field === "event") this.eventName = value;
    else if (field === "id") this.lastId = value;
    return null;
  }

  private dispatch(): SseMessage | null {
    if (this.dataLines.length === 0) {
      this.eventName = "message";
      return null;
    }
    const message: SseMessage = { event: this.eventName, data: this.dataLines.join("\n") };
    if (this.lastId !== undefined) message.id = this.lastId;
    this.dataLines = [];
    this.eventName = "message";
    return message;
  }
}

/** Reads a streamed response body and yields each SSE message as it completes. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
    yield* parser.finish();
  } finally {
    reader.releaseLock();
  }
}
