// fetch for the app's own JSON routes: answers checked against their schema, problem details
// turned into readable errors.
import type { z } from "zod";

import { describeFailure } from "@/lib/chatkit/client";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ApiError";
  }
}

/** Sends the request; a failure to connect or a non-2xx answer becomes an `ApiError`. */
export async function send(url: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      credentials: "same-origin",
      headers: init.body ? { "Content-Type": "application/json", ...init.headers } : init.headers,
    });
  } catch {
    throw new ApiError("Could not reach the server. Check your connection.", 0);
  }
  if (!response.ok) throw new ApiError(await describeFailure(response), response.status);
  return response;
}

/** GETs `url` and returns its JSON answer, checked against `answer`. */
export async function getJson<Answer extends z.ZodType>(url: string, answer: Answer): Promise<z.infer<Answer>> {
  const response = await send(url);
  const result = answer.safeParse(await response.json().catch(() => undefined));
  if (!result.success)
    throw new ApiError("The server sent an answer this page cannot read.", 502, { cause: result.error });
  return result.data;
}
