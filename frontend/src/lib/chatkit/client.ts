// Client for a ChatKit server endpoint: JSON for plain requests, SSE for streaming ones. Every
// answer and event is checked against its schema before the app sees it.

import { EventSourceParserStream } from "eventsource-parser/stream";
import { z } from "zod";

import type { NonStreamingRequest, StreamingRequest } from "./requests";
import { threadStreamEventSchema, type ThreadStreamEvent } from "./schemas";

export class ChatKitRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
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

  /** Sends a non-streaming request and returns its JSON answer, checked against `answer`. */
  async call<Answer extends z.ZodType>(
    request: NonStreamingRequest,
    answer: Answer,
    signal?: AbortSignal,
  ): Promise<z.infer<Answer>> {
    const response = await this.post(request, signal);
    const result = answer.safeParse(await response.json().catch(() => undefined));
    if (!result.success) throw invalid(`answer to ${request.type}`, result.error);
    return result.data;
  }

  /** Sends a streaming request and yields each event this client acts on, as it arrives. */
  async *stream(request: StreamingRequest, signal?: AbortSignal): AsyncGenerator<ThreadStreamEvent> {
    const response = await this.post(request, signal);
    if (!response.body) throw new ChatKitRequestError("The server sent no stream.", response.status);
    const messages = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream())
      .getReader();
    try {
      for (;;) {
        const { done, value } = await messages.read();
        if (done) return;
        if (value.data.trim() === "") continue;
        const event = parseEvent(value.data);
        if (event) yield event;
      }
    } finally {
      // Stops the download when reading ends early (a malformed event, an abort).
      messages.cancel().catch(() => {});
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

/** One SSE message's event; `null` for an event this client does not act on. */
function parseEvent(data: string): ThreadStreamEvent | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new ChatKitRequestError("The assistant sent a malformed event.", 502);
  }
  const result = threadStreamEventSchema.safeParse(parsed);
  if (!result.success) throw invalid(`${typeOf(parsed) ?? "untyped"} event`, result.error);
  return result.data;
}

function invalid(what: string, error: z.ZodError): ChatKitRequestError {
  return new ChatKitRequestError(`The assistant sent an invalid ${what}.`, 502, { cause: error });
}

function typeOf(value: unknown): string | null {
  const typed = z.object({ type: z.string() }).safeParse(value);
  return typed.success ? typed.data.type : null;
}

const problemSchema = z.looseObject({ title: z.string().nullish(), detail: z.string().nullish() });

/** A human sentence for a failed response: the problem's `detail`/`title` when there is one. */
export async function describeFailure(response: Response): Promise<string> {
  const problem = problemSchema.safeParse(await response.json().catch(() => undefined));
  return (problem.success && (problem.data.detail || problem.data.title)) || defaultMessage(response.status);
}

function defaultMessage(status: number): string {
  if (status === 401) return "Your session has expired. Please sign in again.";
  if (status === 404) return "This conversation no longer exists.";
  if (status === 422) return "The message was rejected as invalid.";
  if (status === 429) return "Too many requests. Please wait a moment.";
  if (status >= 500) return "The assistant is unavailable right now.";
  return `The request failed (${status}).`;
}
