// What this renderer reads of the ChatKit server protocol (openai-chatkit 1.6, `chatkit/types.py`),
// checked where it arrives. Objects are loose, so a newer server's extra fields pass through; the
// server leaves out fields that are None, so nullable fields are also optional. An event, item or
// update of a type not listed here (notices, images, a newer server's additions) parses as `null`
// and is skipped; one of a listed type that does not match its schema is an error.
import { z } from "zod";

type Variant = z.ZodObject<{ type: z.ZodLiteral<string> }, z.core.$loose>;

/** One of `variants`, or `null` when the value's `type` is none of theirs. */
function variantOrSkipped<const Variants extends readonly [Variant, ...Variant[]]>(variants: Variants) {
  const known = new Set<unknown>(variants.map((variant) => variant.shape.type.value));
  const other = z.looseObject({ type: z.string().refine((type) => !known.has(type)) }).transform(() => null);
  return z.union([z.discriminatedUnion("type", variants), other]);
}

const page = <Item extends z.ZodType>(item: Item) =>
  z.looseObject({ data: z.array(item), has_more: z.boolean().default(false), after: z.string().nullish() });

export const threadMetadataSchema = z.looseObject({
  id: z.string(),
  title: z.string().nullish(),
  created_at: z.string(),
});

// ---- items ----

const itemBase = { id: z.string(), thread_id: z.string(), created_at: z.string() };

const userMessageContent = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("input_text"), text: z.string() }),
  z.looseObject({ type: z.literal("input_tag"), text: z.string() }),
]);

const assistantMessageContent = z.looseObject({ type: z.literal("output_text"), text: z.string() });

/** A workflow task (custom, thought, web search, …): the fields every kind may carry. */
const workflowTask = z.looseObject({
  type: z.string(),
  title: z.string().nullish(),
  content: z.string().nullish(),
  icon: z.string().nullish(),
  status_indicator: z.enum(["none", "loading", "complete"]).default("none"),
});

/** A custom summary has a title; a duration summary has none. */
const workflowSummary = z.looseObject({ title: z.string().optional() });

const userMessageItem = z.looseObject({
  ...itemBase,
  type: z.literal("user_message"),
  content: z.array(userMessageContent),
});
const assistantMessageItem = z.looseObject({
  ...itemBase,
  type: z.literal("assistant_message"),
  content: z.array(assistantMessageContent),
});
const workflowItem = z.looseObject({
  ...itemBase,
  type: z.literal("workflow"),
  workflow: z.looseObject({
    type: z.enum(["custom", "reasoning"]),
    tasks: z.array(workflowTask),
    summary: workflowSummary.nullish(),
  }),
});
const taskItem = z.looseObject({ ...itemBase, type: z.literal("task"), task: workflowTask });
const clientToolCallItem = z.looseObject({
  ...itemBase,
  type: z.literal("client_tool_call"),
  status: z.enum(["pending", "completed"]).default("pending"),
  name: z.string(),
  arguments: z.record(z.string(), z.unknown()),
});
const endOfTurnItem = z.looseObject({ ...itemBase, type: z.literal("end_of_turn") });

// ---- widgets (`chatkit/widgets.py`) ----
// Read loosely: a Card's text and its confirm/cancel buttons. Other roots parse as `null` and
// components this renderer does not draw are kept as they are (and skipped when drawing).

/** What a button sends back: its `type` and `payload` (handler, loadingBehavior… are the server's). */
const widgetAction = z.looseObject({ type: z.string(), payload: z.unknown().optional() });
const cardButton = z.looseObject({ label: z.string(), action: widgetAction });
/** Any component: `Text`, `Title`, `Markdown` carry a `value`; containers carry `children`. */
export const widgetComponentSchema = z.looseObject({ type: z.string() });
const cardWidget = z.looseObject({
  type: z.literal("Card"),
  children: z.array(widgetComponentSchema).default([]),
  confirm: cardButton.nullish(),
  cancel: cardButton.nullish(),
});

const widgetItem = z.looseObject({
  ...itemBase,
  type: z.literal("widget"),
  widget: variantOrSkipped([cardWidget]),
  copy_text: z.string().nullish(),
});

const threadItem = variantOrSkipped([
  userMessageItem,
  assistantMessageItem,
  workflowItem,
  taskItem,
  clientToolCallItem,
  endOfTurnItem,
  widgetItem,
]);

/** An `items.list` page; items of types this renderer does not draw are left out. */
export const itemsPageSchema = page(threadItem).transform((items) => ({
  ...items,
  data: items.data.filter((item) => item !== null),
}));

// ---- item updates (thread.item.updated) ----

const contentPartUpdate = <Type extends string>(type: Type) =>
  z.looseObject({ type: z.literal(type), content_index: z.number().int(), content: assistantMessageContent });
const taskUpdate = <Type extends string>(type: Type) =>
  z.looseObject({ type: z.literal(type), task_index: z.number().int(), task: workflowTask });

const threadItemUpdate = variantOrSkipped([
  contentPartUpdate("assistant_message.content_part.added"),
  z.looseObject({
    type: z.literal("assistant_message.content_part.text_delta"),
    content_index: z.number().int(),
    delta: z.string(),
  }),
  contentPartUpdate("assistant_message.content_part.done"),
  taskUpdate("workflow.task.added"),
  taskUpdate("workflow.task.updated"),
]);

// ---- stream events ----

export const threadStreamEventSchema = variantOrSkipped([
  z.looseObject({ type: z.literal("thread.created"), thread: threadMetadataSchema }),
  z.looseObject({ type: z.literal("thread.item.added"), item: threadItem }),
  z.looseObject({ type: z.literal("thread.item.done"), item: threadItem }),
  z.looseObject({ type: z.literal("thread.item.replaced"), item: threadItem }),
  z.looseObject({ type: z.literal("thread.item.removed"), item_id: z.string() }),
  z.looseObject({ type: z.literal("thread.item.updated"), item_id: z.string(), update: threadItemUpdate }),
  z.looseObject({ type: z.literal("progress_update"), text: z.string() }),
  z.looseObject({
    type: z.literal("error"),
    code: z.string().default("custom"),
    message: z.string().nullish(),
    allow_retry: z.boolean().default(false),
  }),
]);

/** `threads.delete` answers `{}`. */
export const emptySchema = z.looseObject({});

export type ThreadItem = NonNullable<z.infer<typeof threadItem>>;
export type UserMessageItem = z.infer<typeof userMessageItem>;
export type AssistantMessageItem = z.infer<typeof assistantMessageItem>;
export type AssistantMessageContent = z.infer<typeof assistantMessageContent>;
export type WorkflowItem = z.infer<typeof workflowItem>;
export type WorkflowTask = z.infer<typeof workflowTask>;
export type WidgetItem = z.infer<typeof widgetItem>;
export type CardWidget = z.infer<typeof cardWidget>;
export type WidgetComponent = z.infer<typeof widgetComponentSchema>;
export type WidgetAction = z.infer<typeof widgetAction>;
export type ThreadItemUpdate = NonNullable<z.infer<typeof threadItemUpdate>>;
export type ThreadStreamEvent = NonNullable<z.infer<typeof threadStreamEventSchema>>;

/** The icon the gateway gives a tool call that failed (ChatKit has no "failed" indicator). */
export const FAILED_TOOL_ICON = "lucide:circle-alert";
