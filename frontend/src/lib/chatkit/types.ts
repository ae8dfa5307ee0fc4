// The subset of the ChatKit server protocol (openai-chatkit 1.6) this renderer speaks.
// Shapes mirror chatkit/types.py; unknown variants are kept as `UnknownItem` / ignored events.

export type Page<T> = { data: T[]; has_more: boolean; after: string | null };

export type ThreadStatus =
  | { type: "active" }
  | { type: "locked"; reason?: string | null }
  | { type: "closed"; reason?: string | null };

export type ThreadMetadata = {
  id: string;
  title: string | null;
  created_at: string;
  status?: ThreadStatus;
  metadata?: Record<string, unknown>;
};

export type Thread = ThreadMetadata & { items: Page<ThreadItem> };

// ---- items ----

type ItemBase = { id: string; thread_id: string; created_at: string };

export type UserMessageContent =
  | { type: "input_text"; text: string }
  | { type: "input_tag"; id: string; text: string; data: Record<string, unknown> };

export type InferenceOptions = { tool_choice?: { id: string } | null; model?: string | null };

export type UserMessageItem = ItemBase & {
  type: "user_message";
  content: UserMessageContent[];
  attachments?: unknown[];
  quoted_text?: string | null;
  inference_options?: InferenceOptions;
};

export type AssistantMessageContent = { type: "output_text"; text: string; annotations?: unknown[] };

export type AssistantMessageItem = ItemBase & {
  type: "assistant_message";
  content: AssistantMessageContent[];
};

export type TaskStatusIndicator = "none" | "loading" | "complete";

export type WorkflowTask = {
  type: string;
  title?: string | null;
  content?: string | null;
  icon?: string | null;
  status_indicator?: TaskStatusIndicator;
};

/** The icon the gateway gives a tool call that failed (ChatKit has no "failed" indicator). */
export const FAILED_TOOL_ICON = "lucide:circle-alert";

export type Workflow = {
  type: "custom" | "reasoning";
  tasks: WorkflowTask[];
  summary?: { title: string } | { duration: number } | null;
  expanded?: boolean;
};

export type WorkflowItem = ItemBase & { type: "workflow"; workflow: Workflow };

export type TaskItem = ItemBase & { type: "task"; task: WorkflowTask };

export type ClientToolCallItem = ItemBase & {
  type: "client_tool_call";
  status: "pending" | "completed";
  call_id: string;
  name: string;
  arguments: Record<string, unknown>;
  output?: unknown;
};

export type EndOfTurnItem = ItemBase & { type: "end_of_turn" };

/** An item type this renderer does not draw (widgets, images, …); kept so ids stay in order. */
export type UnknownItem = ItemBase & { type: string };

export type ThreadItem =
  | UserMessageItem
  | AssistantMessageItem
  | WorkflowItem
  | TaskItem
  | ClientToolCallItem
  | EndOfTurnItem;

// ---- item updates (thread.item.updated) ----

export type ThreadItemUpdate =
  | { type: "assistant_message.content_part.added"; content_index: number; content: AssistantMessageContent }
  | { type: "assistant_message.content_part.text_delta"; content_index: number; delta: string }
  | { type: "assistant_message.content_part.done"; content_index: number; content: AssistantMessageContent }
  | { type: "workflow.task.added"; task_index: number; task: WorkflowTask }
  | { type: "workflow.task.updated"; task_index: number; task: WorkflowTask }
  | { type: string };

// ---- stream events ----

export type ThreadStreamEvent =
  | { type: "thread.created"; thread: Thread }
  | { type: "thread.updated"; thread: Thread }
  | { type: "thread.item.added"; item: ThreadItem }
  | { type: "thread.item.updated"; item_id: string; update: ThreadItemUpdate }
  | { type: "thread.item.done"; item: ThreadItem }
  | { type: "thread.item.removed"; item_id: string }
  | { type: "thread.item.replaced"; item: ThreadItem }
  | { type: "stream_options"; stream_options: { allow_cancel: boolean } }
  | { type: "progress_update"; text: string; icon?: string | null }
  | { type: "client_effect"; name: string; data: Record<string, unknown> }
  | { type: "error"; code: string; message?: string | null; allow_retry: boolean }
  | { type: "notice"; level: "info" | "warning" | "danger"; message: string; title?: string | null };

// ---- requests ----

export type UserMessageInput = {
  content: UserMessageContent[];
  attachments: string[];
  quoted_text?: string | null;
  inference_options: InferenceOptions;
};

type Request<TType extends string, TParams> = {
  type: TType;
  params: TParams;
  metadata: Record<string, unknown>;
};

export type ThreadsCreateRequest = Request<"threads.create", { input: UserMessageInput }>;
export type ThreadsAddUserMessageRequest = Request<
  "threads.add_user_message",
  { thread_id: string; input: UserMessageInput }
>;
export type ThreadsRetryAfterItemRequest = Request<
  "threads.retry_after_item",
  { thread_id: string; item_id: string }
>;
export type ThreadsGetByIdRequest = Request<"threads.get_by_id", { thread_id: string }>;
export type ListParams = { limit?: number; order?: "asc" | "desc"; after?: string | null };
export type ThreadsListRequest = Request<"threads.list", ListParams>;
export type ItemsListRequest = Request<"items.list", ListParams & { thread_id: string }>;
export type ThreadsUpdateRequest = Request<"threads.update", { thread_id: string; title: string }>;
export type ThreadsDeleteRequest = Request<"threads.delete", { thread_id: string }>;

export type StreamingRequest =
  | ThreadsCreateRequest
  | ThreadsAddUserMessageRequest
  | ThreadsRetryAfterItemRequest;

/** Each non-streaming request and the JSON it answers with. */
export type NonStreamingResponses = {
  "threads.get_by_id": Thread;
  "threads.list": Page<ThreadMetadata>;
  "items.list": Page<ThreadItem>;
  "threads.update": ThreadMetadata;
  "threads.delete": Record<string, never>;
};

export type NonStreamingRequest =
  | ThreadsGetByIdRequest
  | ThreadsListRequest
  | ItemsListRequest
  | ThreadsUpdateRequest
  | ThreadsDeleteRequest;
