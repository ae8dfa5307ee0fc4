// RFC 9457 problem details, the error shape of every route of this app (as of the Python services).

export function problem(status: number, title: string, detail: string, headers?: Record<string, string>): Response {
  return Response.json(
    { type: "about:blank", title, status, detail },
    { status, headers: { ...headers, "Content-Type": "application/problem+json" } },
  );
}
