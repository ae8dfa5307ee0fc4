// Thread management over the same /chatkit endpoint the chat uses.
import { ChatKitClient } from "./client";
import { requests } from "./requests";
import { emptySchema, threadMetadataSchema } from "./schemas";

const client = new ChatKitClient("/chatkit");

export const threads = {
  rename: (threadId: string, title: string) =>
    client.call(requests.renameThread(threadId, title), threadMetadataSchema),
  remove: (threadId: string) => client.call(requests.deleteThread(threadId), emptySchema),
};
