// A client written by others, in another language: the official TypeScript MCP SDK.
// Reads MCP_URL and MCP_TOKEN, lists the tools, adds a task, lists tasks; prints one JSON object.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const url = process.env.MCP_URL;
const token = process.env.MCP_TOKEN;
if (!url || !token) {
  console.error("set MCP_URL and MCP_TOKEN");
  process.exit(2);
}

const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
const client = new Client({ name: "todo-interop-node", version: "0.1.0" });

await client.connect(transport);
try {
  const { tools } = await client.listTools();
  const added = await client.callTool({
    name: "add_task",
    arguments: { title: process.env.TASK_TITLE ?? "Written from Node", tags: ["node"] },
  });
  const listed = await client.callTool({ name: "list_tasks", arguments: { tag: "node" } });
  const missing = await client.callTool({ name: "complete_task", arguments: { task_id: 987654321 } });
  console.log(
    JSON.stringify({
      protocolVersion: transport.protocolVersion ?? null,
      server: client.getServerVersion(),
      tools: tools.map((tool) => ({
        name: tool.name,
        annotations: tool.annotations ?? null,
        hasOutputSchema: Boolean(tool.outputSchema),
      })),
      added: added.structuredContent,
      listed: listed.structuredContent,
      listedText: listed.content[0]?.text ?? null,
      missing: { isError: missing.isError ?? false, text: missing.content[0]?.text ?? null },
    }),
  );
} finally {
  await client.close();
}
