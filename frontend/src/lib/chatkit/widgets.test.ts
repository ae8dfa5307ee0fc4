import { describe, expect, it } from "vitest";

import { widgetTextLines } from "./widgets";

describe("widgetTextLines", () => {
  it("shows the value of Text, Title and Markdown in order and skips other components", () => {
    expect(
      widgetTextLines([
        { type: "Title", value: "Delete tasks" },
        { type: "Image", src: "x.png" },
        { type: "Text", value: "Delete every completed task (2)?" },
        { type: "Markdown", value: "**This cannot be undone.**" },
      ]),
    ).toEqual(["Delete tasks", "Delete every completed task (2)?", "**This cannot be undone.**"]);
  });

  it("looks inside containers and ignores children that are not components", () => {
    expect(
      widgetTextLines([
        { type: "Row", children: [{ type: "Text", value: "inner" }, "stray", { value: "no type" }] },
        { type: "Text", value: 5 },
      ]),
    ).toEqual(["inner"]);
  });
});
