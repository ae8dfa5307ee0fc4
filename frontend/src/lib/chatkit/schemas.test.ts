import { describe, expect, it } from "vitest";

import { itemsPageSchema, threadMetadataSchema, threadStreamEventSchema } from "./schemas";

// Payloads exactly as openai-chatkit 1.6 serializes them (`model_dump_json(exclude_none=True)`).
const SERVER_EVENTS = [
  '{"type":"thread.created","thread":{"id":"thr_1","created_at":"2026-01-01T00:00:00","status":{"type":"active"},"metadata":{},"items":{"data":[],"has_more":false}}}',
  '{"type":"thread.item.done","item":{"id":"msg_user","thread_id":"thr_1","created_at":"2026-01-01T00:00:00","type":"user_message","content":[{"type":"input_text","text":"Add a task to buy groceries"}],"attachments":[],"inference_options":{}}}',
  '{"type":"thread.item.added","item":{"id":"msg_bot","thread_id":"thr_1","created_at":"2026-01-01T00:00:00","type":"assistant_message","content":[]}}',
  '{"type":"thread.item.updated","item_id":"msg_bot","update":{"type":"assistant_message.content_part.added","content_index":0,"content":{"annotations":[],"text":"","type":"output_text"}}}',
  '{"type":"thread.item.updated","item_id":"msg_bot","update":{"type":"assistant_message.content_part.text_delta","content_index":0,"delta":"Added "}}',
  '{"type":"thread.item.added","item":{"id":"wf_1","thread_id":"thr_1","created_at":"2026-01-01T00:00:00","type":"workflow","workflow":{"type":"custom","tasks":[{"status_indicator":"loading","type":"custom","title":"Running add_task…","icon":"bolt"}],"expanded":false}}}',
  '{"type":"thread.item.updated","item_id":"wf_1","update":{"type":"workflow.task.updated","task_index":0,"task":{"status_indicator":"complete","type":"custom","title":"add_task","icon":"bolt","content":"{\\"title\\": \\"Buy groceries\\"}"}}}',
  '{"type":"error","code":"custom","message":"Model unavailable","allow_retry":true}',
  '{"type":"progress_update","text":"Working"}',
];

const parse = (json: string) => threadStreamEventSchema.safeParse(JSON.parse(json));

describe("threadStreamEventSchema", () => {
  it.each(SERVER_EVENTS)("accepts the server's %s", (json) => {
    const result = parse(json);
    expect(result.success, result.error?.message).toBe(true);
    expect(result.data?.type).toBe(JSON.parse(json).type);
  });

  it("keeps fields it does not read", () => {
    const event = parse(SERVER_EVENTS[1]).data;
    expect(event?.type === "thread.item.done" && event.item?.inference_options).toEqual({});
  });

  it("fills in what the server leaves out", () => {
    const event = parse('{"type":"error","code":"custom"}').data;
    expect(event).toEqual({ type: "error", code: "custom", allow_retry: false });
  });

  it.each([
    '{"type":"stream_options","stream_options":{"allow_cancel":true}}',
    '{"type":"notice","level":"info","message":"hi"}',
    '{"type":"thread.something_new","payload":1}',
  ])("skips an event it does not act on: %s", (json) => {
    expect(parse(json)).toMatchObject({ success: true, data: null });
  });

  it("skips an item or an update of a type it does not draw", () => {
    const image = parse(
      '{"type":"thread.item.added","item":{"id":"img_1","thread_id":"thr_1","created_at":"2026-01-01T00:00:00","type":"generated_image"}}',
    ).data;
    expect(image).toMatchObject({ type: "thread.item.added", item: null });
    const annotation = parse(
      '{"type":"thread.item.updated","item_id":"msg_bot","update":{"type":"assistant_message.content_part.annotation_added","content_index":0,"annotation_index":0,"annotation":{}}}',
    ).data;
    expect(annotation).toMatchObject({ type: "thread.item.updated", update: null });
  });

  it.each([
    [
      "an item without content",
      '{"type":"thread.item.done","item":{"id":"m","thread_id":"t","created_at":"x","type":"user_message"}}',
    ],
    [
      "a delta that is not text",
      '{"type":"thread.item.updated","item_id":"m","update":{"type":"assistant_message.content_part.text_delta","content_index":0,"delta":5}}',
    ],
    ["a thread without id", '{"type":"thread.created","thread":{"created_at":"x"}}'],
    [
      "an unknown task status",
      '{"type":"thread.item.updated","item_id":"w","update":{"type":"workflow.task.added","task_index":0,"task":{"type":"custom","status_indicator":"stuck"}}}',
    ],
    ["an event without a type", '{"item_id":"m"}'],
  ])("rejects %s", (_case, json) => {
    expect(parse(json).success).toBe(false);
  });
});

describe("itemsPageSchema", () => {
  it("reads the server's page and leaves out items it does not draw", () => {
    const page = itemsPageSchema.parse({
      data: [
        { id: "msg_user", thread_id: "thr_1", created_at: "2026-01-01T00:00:00", type: "user_message", content: [] },
        { id: "img_1", thread_id: "thr_1", created_at: "2026-01-01T00:00:00", type: "generated_image" },
        { id: "eot", thread_id: "thr_1", created_at: "2026-01-01T00:00:00", type: "end_of_turn" },
      ],
      has_more: false,
    });
    expect(page.data.map((item) => item.id)).toEqual(["msg_user", "eot"]);
    expect(page.after).toBeUndefined();
  });
});

// The consent card the gateway sends when a turn pauses for approval (issue 17).
const CONFIRMATION_ITEM = {
  type: "widget",
  id: "wdg_1",
  thread_id: "thr_1",
  created_at: "2026-01-01T00:00:00",
  copy_text: "Delete every completed task (2)?",
  widget: {
    type: "Card",
    children: [{ type: "Text", value: "Delete every completed task (2)?" }],
    confirm: {
      label: "Confirm",
      action: {
        type: "approval.decide",
        payload: { approval_id: "apr_1", decision: "approve" },
        handler: "server",
        loadingBehavior: "auto",
        streaming: true,
      },
    },
    cancel: {
      label: "Cancel",
      action: {
        type: "approval.decide",
        payload: { approval_id: "apr_1", decision: "reject" },
        handler: "server",
        loadingBehavior: "auto",
        streaming: true,
      },
    },
  },
};

describe("widget items", () => {
  it("reads the confirmation card in a stream event: its text and both buttons", () => {
    const event = threadStreamEventSchema.parse({ type: "thread.item.done", item: CONFIRMATION_ITEM });
    const item = event?.type === "thread.item.done" ? event.item : null;
    expect(item?.type).toBe("widget");
    const widget = item?.type === "widget" ? item.widget : null;
    expect(widget?.children).toEqual([{ type: "Text", value: "Delete every completed task (2)?" }]);
    expect(widget?.confirm?.label).toBe("Confirm");
    expect(widget?.confirm?.action).toMatchObject({
      type: "approval.decide",
      payload: { approval_id: "apr_1", decision: "approve" },
    });
    expect(widget?.cancel?.action.payload).toEqual({ approval_id: "apr_1", decision: "reject" });
  });

  it("keeps the card in a stored page, so a reload shows it", () => {
    const page = itemsPageSchema.parse({ data: [CONFIRMATION_ITEM], has_more: false });
    expect(page.data.map((item) => item.type)).toEqual(["widget"]);
  });

  it("reads a widget root other than a Card as null, and a Card without buttons", () => {
    const list = threadStreamEventSchema.parse({
      type: "thread.item.added",
      item: { ...CONFIRMATION_ITEM, widget: { type: "ListView", children: [] } },
    });
    expect(list).toMatchObject({ item: { type: "widget", widget: null } });
    const plain = threadStreamEventSchema.parse({
      type: "thread.item.added",
      item: { ...CONFIRMATION_ITEM, widget: { type: "Card", children: [{ type: "Title", value: "Hi" }] } },
    });
    expect(plain).toMatchObject({ item: { widget: { type: "Card", children: [{ type: "Title", value: "Hi" }] } } });
  });

  it.each([
    ["a widget without a type", { ...CONFIRMATION_ITEM, widget: {} }],
    [
      "a button without a label",
      { ...CONFIRMATION_ITEM, widget: { ...CONFIRMATION_ITEM.widget, confirm: { action: { type: "x" } } } },
    ],
  ])("rejects %s", (_case, item) => {
    expect(threadStreamEventSchema.safeParse({ type: "thread.item.done", item }).success).toBe(false);
  });
});

describe("threadMetadataSchema", () => {
  it("reads the threads.update answer, whose title may be left out", () => {
    const thread = threadMetadataSchema.parse({
      id: "thr_1",
      created_at: "2026-01-01T00:00:00",
      status: { type: "active" },
    });
    expect(thread.title).toBeUndefined();
  });
});
