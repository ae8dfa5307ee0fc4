import { describe, expect, it } from "vitest";

import { requests } from "./requests";

describe("request builders", () => {
  it("builds threads.create with a text input", () => {
    expect(requests.createThread("Add a task to buy groceries")).toEqual({
      type: "threads.create",
      params: {
        input: {
          content: [{ type: "input_text", text: "Add a task to buy groceries" }],
          attachments: [],
          quoted_text: null,
          inference_options: {},
        },
      },
      metadata: {},
    });
  });

  it("builds threads.add_user_message for an existing thread", () => {
    const request = requests.addUserMessage("thr_1", "hi");
    expect(request.type).toBe("threads.add_user_message");
    expect(request.params.thread_id).toBe("thr_1");
    expect(request.params.input.content).toEqual([{ type: "input_text", text: "hi" }]);
  });

  it("lists items oldest first by default and passes the cursor", () => {
    expect(requests.listItems("thr_1", { limit: 50, after: "msg_9" }).params).toEqual({
      thread_id: "thr_1",
      order: "asc",
      limit: 50,
      after: "msg_9",
    });
  });

  it("builds rename, delete and retry requests", () => {
    expect(requests.renameThread("thr_1", "Groceries")).toEqual({
      type: "threads.update",
      params: { thread_id: "thr_1", title: "Groceries" },
      metadata: {},
    });
    expect(requests.deleteThread("thr_1").params).toEqual({ thread_id: "thr_1" });
    expect(requests.retryAfterItem("thr_1", "msg_2").params).toEqual({ thread_id: "thr_1", item_id: "msg_2" });
  });

  it("builds threads.custom_action with only the button's action type and payload", () => {
    const action = {
      type: "approval.decide",
      payload: { approval_id: "apr_1", decision: "approve" },
      handler: "server",
      loadingBehavior: "auto",
      streaming: true,
    };
    expect(requests.customAction("thr_1", "wdg_1", action)).toEqual({
      type: "threads.custom_action",
      params: {
        thread_id: "thr_1",
        item_id: "wdg_1",
        action: { type: "approval.decide", payload: { approval_id: "apr_1", decision: "approve" } },
      },
      metadata: {},
    });
  });

  it("sends a null payload for an action without one", () => {
    expect(requests.customAction("thr_1", "wdg_1", { type: "noop" }).params.action).toEqual({
      type: "noop",
      payload: null,
    });
  });
});
