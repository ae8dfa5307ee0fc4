// Typed client for a ChatKit server endpoint: JSON for plain requests, SSE for streaming ones.

import { readSse } from "./sse";
import type { NonStreamingRequest, NonStreamingResponses, StreamingRequest, ThreadStreamEvent } from "./types";

export class ChatKitRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ChatKitRequestError";
  }

  /** Server faults and unavailability are worth retrying; a rejected request is not. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export class ChatKitClient {
  constructor(
    private readonly endpoint: string = "/chatkit",
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {}

  /** Sends a non-streaming request and returns its typed JSON answer. */
  async call<R extends NonStreamingRequest>(request: R, signal?: AbortSignal): Promise<NonStreamingResponses[R["type"]]> {
    const response = await this.post(request, signal);
    return (await response.json()) as NonStreamingResponses[R["type"]];
  }

  /** Sends a streaming request and yields each event as it arrives. */
  async *stream(request: StreamingRequest, signal?: AbortSignal): AsyncGenerator<ThreadStreamEvent> {
    const response = await this.post(request, signal);
    if (!response.body) throw new ChatKitRequestError("The server sent no stream.", response.status);
    for await (const message of readSse(response.body)) {
      if (message.data.trim() === "") continue;
      yield parseEvent(message.data);
    }
  }

  private async post(request: StreamingRequest | NonStreamingRequest, signal?: AbortSignal): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(request),
        credentials: "same-origin",
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ChatKitRequestError("Could not reach the assistant. Check your connection.", 0);
    }
    if (!response.ok) throw new ChatKitRequestError(await describeFailure(response), response.status);
    return response;
  }
}

export function parseEvent(data: string): ThreadStreamEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new ChatKitRequestError("The assistant sent a malformed event.", 502);
  }
  if (typeof parsed !== "object" || parsed === null || typeof (parsed as { type?: unknown }).type !== "string") {
    throw new ChatKitRequestError("The assistant sent an event without a type.", 502);
  }
  return parsed as ThreadStreamEvent;
}

/** A human sentence for a failed response: the problem's `detail`/`title` when there is one. */
export async function describeFailure(response: Response): Promise<string> {
  const fallback = defaultMessage(response.status);
  try {
    const body: unknown = await response.json();
    if (body && typeof body === "object") {
      const { detail, title } = body as { detail?: unknown; title?: unknown };
      if (typeof detail === "string" && detail) return detail;
      if (typeof title === "string" && title) return title;
    }
  } catch {
    // Not JSON: the status says enough.
  }
  return fallback;
}

function defaultMessage(status: number): string {
  if (status === 401) return "Your session has expired. Please sign in again.";
  if (status === 404) return "This conversation no longer exists.";
  if (status === 422) return "The message was rejected as invalid.";
  if (status === 429) return "Too many requests. Please wait a moment.";
  if (status >= 500) return "The assistant is unavailable right now.";
  return `The request failed (${status}).`;
}
