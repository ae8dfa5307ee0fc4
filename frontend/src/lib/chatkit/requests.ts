// The ChatKit requests this renderer sends (`chatkit/types.py`): every one is `{type, params, metadata}`.

import type { WidgetAction } from "./schemas";

type Request<Type extends string, Params> = { type: Type; params: Params; metadata: Record<string, unknown> };

/** A user message as ChatKit expects it: one text part, no attachments. */
export type UserMessageInput = {
  content: { type: "input_text"; text: string }[];
  attachments: string[];
  quoted_text: string | null;
  inference_options: Record<string, never>;
};

export type ListParams = { limit?: number; order?: "asc" | "desc"; after?: string | null };

export type StreamingRequest =
  | Request<"threads.create", { input: UserMessageInput }>
  | Request<"threads.add_user_message", { thread_id: string; input: UserMessageInput }>
  | Request<"threads.retry_after_item", { thread_id: string; item_id: string }>
  | Request<
      "threads.custom_action",
      { thread_id: string; item_id: string; action: { type: string; payload: unknown } }
    >;

export type NonStreamingRequest =
  | Request<"items.list", ListParams & { thread_id: string }>
  | Request<"threads.update", { thread_id: string; title: string }>
  | Request<"threads.delete", { thread_id: string }>;

function userMessageInput(text: string): UserMessageInput {
  return { content: [{ type: "input_text", text }], attachments: [], quoted_text: null, inference_options: {} };
}

export const requests = {
  createThread: (text: string) =>
    ({ type: "threads.create", params: { input: userMessageInput(text) }, metadata: {} }) satisfies StreamingRequest,
  addUserMessage: (threadId: string, text: string) =>
    ({
      type: "threads.add_user_message",
      params: { thread_id: threadId, input: userMessageInput(text) },
      metadata: {},
    }) satisfies StreamingRequest,
  retryAfterItem: (threadId: string, itemId: string) =>
    ({
      type: "threads.retry_after_item",
      params: { thread_id: threadId, item_id: itemId },
      metadata: {},
    }) satisfies StreamingRequest,
  /** A widget's button was pressed: the server needs only the action's type and payload. */
  customAction: (threadId: string, itemId: string, action: WidgetAction) =>
    ({
      type: "threads.custom_action",
      params: { thread_id: threadId, item_id: itemId, action: { type: action.type, payload: action.payload ?? null } },
      metadata: {},
    }) satisfies StreamingRequest,
  listItems: (threadId: string, params: ListParams = {}) =>
    ({
      type: "items.list",
      params: { thread_id: threadId, order: "asc", ...params },
      metadata: {},
    }) satisfies NonStreamingRequest,
  renameThread: (threadId: string, title: string) =>
    ({ type: "threads.update", params: { thread_id: threadId, title }, metadata: {} }) satisfies NonStreamingRequest,
  deleteThread: (threadId: string) =>
    ({ type: "threads.delete", params: { thread_id: threadId }, metadata: {} }) satisfies NonStreamingRequest,
};
