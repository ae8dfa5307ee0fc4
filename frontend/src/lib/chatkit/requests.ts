import type {
  ItemsListRequest,
  ListParams,
  ThreadsAddUserMessageRequest,
  ThreadsCreateRequest,
  ThreadsDeleteRequest,
  ThreadsGetByIdRequest,
  ThreadsListRequest,
  ThreadsRetryAfterItemRequest,
  ThreadsUpdateRequest,
  UserMessageInput,
} from "./types";

/** A user message as ChatKit expects it: one text part, no attachments. */
export function userMessageInput(text: string): UserMessageInput {
  return {
    content: [{ type: "input_text", text }],
    attachments: [],
    quoted_text: null,
    inference_options: {},
  };
}

export const requests = {
  createThread: (text: string): ThreadsCreateRequest => ({
    type: "threads.create",
    params: { input: userMessageInput(text) },
    metadata: {},
  }),
  addUserMessage: (threadId: string, text: string): ThreadsAddUserMessageRequest => ({
    type: "threads.add_user_message",
    params: { thread_id: threadId, input: userMessageInput(text) },
    metadata: {},
  }),
  retryAfterItem: (threadId: string, itemId: string): ThreadsRetryAfterItemRequest => ({
    type: "threads.retry_after_item",
    params: { thread_id: threadId, item_id: itemId },
    metadata: {},
  }),
  getThread: (threadId: string): ThreadsGetByIdRequest => ({
    type: "threads.get_by_id",
    params: { thread_id: threadId },
    metadata: {},
  }),
  listThreads: (params: ListParams = {}): ThreadsListRequest => ({
    type: "threads.list",
    params: { order: "desc", ...params },
    metadata: {},
  }),
  listItems: (threadId: string, params: ListParams = {}): ItemsListRequest => ({
    type: "items.list",
    params: { thread_id: threadId, order: "asc", ...params },
    metadata: {},
  }),
  renameThread: (threadId: string, title: string): ThreadsUpdateRequest => ({
    type: "threads.update",
    params: { thread_id: threadId, title },
    metadata: {},
  }),
  deleteThread: (threadId: string): ThreadsDeleteRequest => ({
    type: "threads.delete",
    params: { thread_id: threadId },
    metadata: {},
  }),
};
