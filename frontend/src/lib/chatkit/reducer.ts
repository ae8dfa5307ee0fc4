// Turns ChatKit stream events into the state the chat panel draws. Pure: easy to unit-test.

import type {
  AssistantMessageContent,
  ThreadItem,
  ThreadItemUpdate,
  ThreadStreamEvent,
  UserMessageItem,
} from "./schemas";

export type ChatStatus = "idle" | "loading" | "streaming" | "error";

export type ChatError = { message: string; allowRetry: boolean };

export type ChatState = {
  threadId: string | null;
  items: ThreadItem[];
  status: ChatStatus;
  error: ChatError | null;
  progress: string | null;
  /** Bumped whenever a tool finishes in the current stream, so the task list can refresh. */
  toolActivity: number;
};

export type ChatAction =
  | { type: "thread.opened"; threadId: string | null }
  | { type: "history.loaded"; threadId: string; items: ThreadItem[] }
  | { type: "history.failed"; message: string }
  | { type: "send.started"; text: string }
  | { type: "retry.started"; afterItemId: string | null }
  | { type: "action.started" }
  | { type: "stream.event"; event: ThreadStreamEvent }
  | { type: "stream.ended" }
  | { type: "stream.failed"; message: string; allowRetry: boolean }
  | { type: "error.dismissed" };

export const PENDING_USER_ITEM_ID = "pending-user-message";

export const initialChatState: ChatState = {
  threadId: null,
  items: [],
  status: "idle",
  error: null,
  progress: null,
  toolActivity: 0,
};

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "thread.opened":
      return { ...initialChatState, threadId: action.threadId, status: action.threadId ? "loading" : "idle" };
    case "history.loaded":
      if (action.threadId !== state.threadId) return state;
      return { ...state, items: action.items, status: "idle", error: null };
    case "history.failed":
      // Nothing to show or continue: the next message starts a new conversation.
      return { ...initialChatState, status: "error", error: { message: action.message, allowRetry: false } };
    case "send.started":
      return {
        ...state,
        status: "streaming",
        error: null,
        progress: null,
        items: [...state.items.filter((item) => item.id !== PENDING_USER_ITEM_ID), pendingUserItem(state, action.text)],
      };
    case "retry.started":
      return {
        ...state,
        status: "streaming",
        error: null,
        progress: null,
        items: itemsUpTo(state.items, action.afterItemId),
      };
    case "action.started":
      // The action's stream removes or replaces the widget itself; until then it stays, disabled.
      return { ...state, status: "streaming", error: null, progress: null };
    case "stream.event":
      return applyEvent(state, action.event);
    case "stream.ended":
      if (state.status === "error") return state;
      return { ...state, status: "idle", progress: null, items: withoutPending(state.items) };
    case "stream.failed":
      return {
        ...state,
        status: "error",
        progress: null,
        error: { message: action.message, allowRetry: action.allowRetry },
      };
    case "error.dismissed":
      return { ...state, status: "idle", error: null, items: withoutPending(state.items) };
  }
}

function pendingUserItem(state: ChatState, text: string): UserMessageItem {
  return {
    id: PENDING_USER_ITEM_ID,
    thread_id: state.threadId ?? "",
    created_at: new Date().toISOString(),
    type: "user_message",
    content: [{ type: "input_text", text }],
  };
}

/** A retry regenerates everything after the user message it restarts from. */
function itemsUpTo(items: ThreadItem[], itemId: string | null): ThreadItem[] {
  if (itemId === null) return items;
  const index = items.findIndex((item) => item.id === itemId);
  return index === -1 ? items : items.slice(0, index + 1);
}

function withoutPending(items: ThreadItem[]): ThreadItem[] {
  return items.filter((item) => item.id !== PENDING_USER_ITEM_ID);
}

function applyEvent(state: ChatState, event: ThreadStreamEvent): ChatState {
  switch (event.type) {
    case "thread.created":
      return { ...state, threadId: event.thread.id };
    case "thread.item.added":
    case "thread.item.done":
    case "thread.item.replaced":
      // A null item is one this renderer does not draw.
      return event.item ? { ...state, items: upsertItem(state.items, event.item) } : state;
    case "thread.item.removed":
      return { ...state, items: state.items.filter((item) => item.id !== event.item_id) };
    case "thread.item.updated":
      return applyItemUpdate(state, event.item_id, event.update);
    case "progress_update":
      return { ...state, progress: event.text };
    case "error":
      return {
        ...state,
        status: "error",
        progress: null,
        error: { message: event.message || "The assistant could not answer.", allowRetry: event.allow_retry },
      };
  }
}

/** Replaces the item with the same id, or appends it; a real user message replaces the optimistic one. */
function upsertItem(items: ThreadItem[], item: ThreadItem): ThreadItem[] {
  const index = items.findIndex((existing) => existing.id === item.id);
  if (index !== -1) return items.map((existing, i) => (i === index ? item : existing));
  if (item.type === "user_message") {
    const pending = items.findIndex((existing) => existing.id === PENDING_USER_ITEM_ID);
    if (pending !== -1) return items.map((existing, i) => (i === pending ? item : existing));
  }
  return [...items, item];
}

function applyItemUpdate(state: ChatState, itemId: string, update: ThreadItemUpdate | null): ChatState {
  const target = state.items.find((item) => item.id === itemId);
  if (!target || !update) return state;
  const updated = updateItem(target, update);
  if (updated === target) return state;
  const finishedTool = isTaskUpdate(update) && update.task.status_indicator === "complete";
  return {
    ...state,
    items: state.items.map((item) => (item.id === itemId ? updated : item)),
    toolActivity: finishedTool ? state.toolActivity + 1 : state.toolActivity,
  };
}

function updateItem(item: ThreadItem, update: ThreadItemUpdate): ThreadItem {
  if (item.type === "assistant_message" && !isTaskUpdate(update)) {
    return { ...item, content: updateContent(item.content, update) };
  }
  if (item.type === "workflow" && isTaskUpdate(update)) {
    const tasks = [...item.workflow.tasks];
    if (update.type === "workflow.task.added") tasks.splice(update.task_index, 0, update.task);
    else tasks[update.task_index] = update.task;
    return { ...item, workflow: { ...item.workflow, tasks } };
  }
  return item;
}

type TaskUpdate = Extract<ThreadItemUpdate, { type: "workflow.task.added" | "workflow.task.updated" }>;
type ContentUpdate = Exclude<ThreadItemUpdate, TaskUpdate>;

function isTaskUpdate(update: ThreadItemUpdate): update is TaskUpdate {
  return update.type === "workflow.task.added" || update.type === "workflow.task.updated";
}

function updateContent(content: AssistantMessageContent[], update: ContentUpdate): AssistantMessageContent[] {
  const next = [...content];
  const index = update.content_index;
  if (update.type === "assistant_message.content_part.text_delta") {
    const current: AssistantMessageContent = next[index] ?? { type: "output_text", text: "" };
    next[index] = { ...current, text: current.text + update.delta };
  } else {
    next[index] = update.content;
  }
  return next;
}

/** The newest stored user message: the item a retry restarts after. */
export function lastUserMessageId(items: ThreadItem[]): string | null {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item.type === "user_message" && item.id !== PENDING_USER_ITEM_ID) return item.id;
  }
  return null;
}

/** Whether the assistant has started writing text in the current turn (hides the typing dots). */
export function isAssistantWriting(items: ThreadItem[]): boolean {
  const last = items[items.length - 1];
  return last?.type === "assistant_message" && last.content.some((part) => part.text.length > 0);
}

export function userMessageText(item: UserMessageItem): string {
  return item.content.map((part) => part.text).join("");
}

export function assistantMessageText(content: AssistantMessageContent[]): string {
  return content.map((part) => part.text).join("\n\n");
}
