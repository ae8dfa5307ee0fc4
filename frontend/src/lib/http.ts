// fetch for the app's own JSON routes: typed results, problem details turned into readable errors.
import { describeFailure } from "@/lib/chatkit/client";

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export async function requestJson<T>(url: string, init: RequestInit = {}): Promise<T> {
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
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
