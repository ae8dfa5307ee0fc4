import { describe, expect, it } from "vitest";

import {
  chatReducer,
  initialChatState,
  isAssistantWriting,
  lastUserMessageId,
  PENDING_USER_ITEM_ID,
  type ChatState,
} from "./reducer";
import type { AssistantMessageItem, ThreadStreamEvent, UserMessageItem, WidgetItem, WorkflowItem } from "./schemas";

const base = { thread_id: "thr_1", created_at: "2026-01-01T00:00:00Z" };

const userItem: UserMessageItem = {
  ...base,
  id: "msg_user",
  type: "user_message",
  content: [{ type: "input_text", text: "Add a task to buy groceries" }],
};

const assistantItem: AssistantMessageItem = { ...base, id: "msg_bot", type: "assistant_message", content: [] };

const workflowItem: WorkflowItem = {
  ...base,
  id: "wf_1",
  type: "workflow",
  workflow: { type: "custom", tasks: [] },
};

function run(state: ChatState, ...events: ThreadStreamEvent[]): ChatState {
  return events.reduce((current, event) => chatReducer(current, { type: "stream.event", event }), state);
}

function sending(text = "Add a task to buy groceries"): ChatState {
  return chatReducer(initialChatState, { type: "send.started", text });
}

describe("chatReducer", () => {
  it("shows the user's message optimistically, then replaces it with the stored one", () => {
    const started = sending();
    expect(started.status).toBe("streaming");
    expect(started.items.map((item) => item.id)).toEqual([PENDING_USER_ITEM_ID]);
    const stored = run(started, { type: "thread.item.done", item: userItem });
    expect(stored.items.map((item) => item.id)).toEqual(["msg_user"]);
  });

  it("takes the thread id from thread.created", () => {
    const state = run(sending(), {
      type: "thread.created",
      thread: {
        id: "thr_new",
        title: null,
        created_at: base.created_at,
        items: { data: [], has_more: false, after: null },
      },
    });
    expect(state.threadId).toBe("thr_new");
  });

  it("applies text deltas in order to the assistant message", () => {
    const state = run(
      sending(),
      { type: "thread.item.done", item: userItem },
      { type: "thread.item.added", item: assistantItem },
      {
        type: "thread.item.updated",
        item_id: "msg_bot",
        update: {
          type: "assistant_message.content_part.added",
          content_index: 0,
          content: { type: "output_text", text: "" },
        },
      },
      {
        type: "thread.item.updated",
        item_id: "msg_bot",
        update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "Added " },
      },
      {
        type: "thread.item.updated",
        item_id: "msg_bot",
        update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "**Buy groceries**." },
      },
    );
    const bot = state.items.find((item) => item.id === "msg_bot") as AssistantMessageItem;
    expect(bot.content[0].text).toBe("Added **Buy groceries**.");
    expect(isAssistantWriting(state.items)).toBe(true);
  });

  it("creates the content part when a delta arrives before content_part.added", () => {
    const state = run(
      sending(),
      { type: "thread.item.added", item: assistantItem },
      {
        type: "thread.item.updated",
        item_id: "msg_bot",
        update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "Hi" },
      },
    );
    expect((state.items.at(-1) as AssistantMessageItem).content[0].text).toBe("Hi");
  });

  it("lets thread.item.done replace the streamed text with the final one", () => {
    const final: AssistantMessageItem = { ...assistantItem, content: [{ type: "output_text", text: "Final answer" }] };
    const state = run(
      sending(),
      { type: "thread.item.added", item: assistantItem },
      {
        type: "thread.item.updated",
        item_id: "msg_bot",
        update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "Fin" },
      },
      { type: "thread.item.done", item: final },
    );
    expect((state.items.at(-1) as AssistantMessageItem).content[0].text).toBe("Final answer");
    expect(state.items.filter((item) => item.id === "msg_bot")).toHaveLength(1);
  });

  it("adds and updates workflow tasks and counts finished tools", () => {
    const state = run(
      sending(),
      { type: "thread.item.added", item: workflowItem },
      {
        type: "thread.item.updated",
        item_id: "wf_1",
        update: {
          type: "workflow.task.added",
          task_index: 0,
          task: { type: "custom", title: "add_task", status_indicator: "loading" },
        },
      },
    );
    const running = state.items.at(-1) as WorkflowItem;
    expect(running.workflow.tasks).toEqual([{ type: "custom", title: "add_task", status_indicator: "loading" }]);
    expect(state.toolActivity).toBe(0);

    const finished = run(state, {
      type: "thread.item.updated",
      item_id: "wf_1",
      update: {
        type: "workflow.task.updated",
        task_index: 0,
        task: { type: "custom", title: "add_task", status_indicator: "complete" },
      },
    });
    expect((finished.items.at(-1) as WorkflowItem).workflow.tasks[0].status_indicator).toBe("complete");
    expect(finished.toolActivity).toBe(1);
  });

  it("ignores updates for items it has never seen", () => {
    const state = sending();
    const next = run(state, {
      type: "thread.item.updated",
      item_id: "unknown",
      update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: "x" },
    });
    expect(next).toBe(state);
  });

  it("skips items and updates it does not draw (parsed as null)", () => {
    const started = run(sending(), { type: "thread.item.added", item: assistantItem });
    const next = run(
      started,
      { type: "thread.item.added", item: null },
      { type: "thread.item.updated", item_id: "msg_bot", update: null },
    );
    expect(next).toBe(started);
  });

  it("removes items", () => {
    const state = run(
      sending(),
      { type: "thread.item.done", item: userItem },
      { type: "thread.item.removed", item_id: "msg_user" },
    );
    expect(state.items).toEqual([]);
  });

  it("turns an error event into a retryable error and keeps it after the stream ends", () => {
    const failed = run(
      sending(),
      { type: "thread.item.done", item: userItem },
      { type: "error", code: "stream.error", message: "Model unavailable", allow_retry: true },
    );
    const ended = chatReducer(failed, { type: "stream.ended" });
    expect(ended.status).toBe("error");
    expect(ended.error).toEqual({ message: "Model unavailable", allowRetry: true });
    expect(lastUserMessageId(ended.items)).toBe("msg_user");
  });

  it("uses a default message when the error event has none", () => {
    const failed = run(sending(), { type: "error", code: "stream.error", allow_retry: false });
    expect(failed.error?.message).toMatch(/could not answer/);
  });

  it("drops the optimistic message when the stream ends without storing it", () => {
    const ended = chatReducer(sending(), { type: "stream.ended" });
    expect(ended.items).toEqual([]);
    expect(ended.status).toBe("idle");
  });

  it("has no user message to retry after when only the optimistic one exists", () => {
    expect(lastUserMessageId(sending().items)).toBeNull();
  });

  it("ignores history for a thread that is no longer open", () => {
    const opened = chatReducer(initialChatState, { type: "thread.opened", threadId: "thr_2" });
    const stale = chatReducer(opened, { type: "history.loaded", threadId: "thr_1", items: [userItem] });
    expect(stale.items).toEqual([]);
    const fresh = chatReducer(opened, { type: "history.loaded", threadId: "thr_2", items: [userItem] });
    expect(fresh.items).toEqual([userItem]);
    expect(fresh.status).toBe("idle");
  });

  it("drops what followed the user message when a retry starts", () => {
    const answered = run(
      sending(),
      { type: "thread.item.done", item: userItem },
      { type: "thread.item.done", item: { ...assistantItem, content: [{ type: "output_text", text: "partial" }] } },
      { type: "error", code: "stream.error", message: "cut", allow_retry: true },
    );
    const retrying = chatReducer(answered, { type: "retry.started", afterItemId: "msg_user" });
    expect(retrying.items.map((item) => item.id)).toEqual(["msg_user"]);
    expect(retrying.status).toBe("streaming");
    expect(retrying.error).toBeNull();
  });

  it("forgets a conversation whose history cannot be loaded", () => {
    const opened = chatReducer(initialChatState, { type: "thread.opened", threadId: "thr_gone" });
    const failed = chatReducer(opened, { type: "history.failed", message: "This conversation no longer exists." });
    expect(failed.threadId).toBeNull();
    expect(failed.error).toEqual({ message: "This conversation no longer exists.", allowRetry: false });
  });

  it("records progress text and clears it when the stream ends", () => {
    const progressing = run(sending(), { type: "progress_update", text: "Looking up your tasks" });
    expect(progressing.progress).toBe("Looking up your tasks");
    expect(chatReducer(progressing, { type: "stream.ended" }).progress).toBeNull();
  });

  it("applies a confirmation's answer: the card removed, the question replaced in place by the answer", () => {
    const question: AssistantMessageItem = {
      ...assistantItem,
      content: [{ type: "output_text", text: "Delete every completed task (2)?" }],
    };
    const card: WidgetItem = {
      ...base,
      id: "wdg_1",
      type: "widget",
      widget: { type: "Card", children: [{ type: "Text", value: "Delete every completed task (2)?" }] },
    };
    const paused = chatReducer(
      { ...initialChatState, threadId: "thr_1" },
      { type: "history.loaded", threadId: "thr_1", items: [userItem, question, card] },
    );
    const acting = chatReducer(paused, { type: "action.started" });
    expect(acting.status).toBe("streaming");
    expect(acting.items.map((item) => item.id)).toEqual(["msg_user", "msg_bot", "wdg_1"]);

    const answer: AssistantMessageItem = {
      ...assistantItem,
      content: [{ type: "output_text", text: "Deleted 2 tasks." }],
    };
    const answered = run(
      acting,
      { type: "thread.item.removed", item_id: "wdg_1" },
      { type: "thread.item.added", item: workflowItem },
      { type: "thread.item.done", item: answer },
    );
    const ended = chatReducer(answered, { type: "stream.ended" });
    expect(ended.status).toBe("idle");
    expect(ended.items.map((item) => item.id)).toEqual(["msg_user", "msg_bot", "wf_1"]);
    expect((ended.items[1] as AssistantMessageItem).content[0].text).toBe("Deleted 2 tasks.");
  });

  it("clears an earlier error when an action starts", () => {
    const failed = run(sending(), { type: "error", code: "stream.error", message: "cut", allow_retry: false });
    const acting = chatReducer(failed, { type: "action.started" });
    expect(acting.error).toBeNull();
    expect(acting.status).toBe("streaming");
  });
});
