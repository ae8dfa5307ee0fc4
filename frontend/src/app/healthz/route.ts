// Liveness for `make up` and the test fixtures: the server is up and has migrated its auth tables.
export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
