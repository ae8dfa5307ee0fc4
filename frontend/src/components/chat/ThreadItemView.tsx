import { assistantMessageText, PENDING_USER_ITEM_ID, userMessageText } from "@/lib/chatkit/reducer";
import type { ThreadItem, WidgetAction } from "@/lib/chatkit/schemas";

import { Markdown } from "./Markdown";
import { ToolCallCard } from "./ToolCallCard";
import { WidgetCard } from "./WidgetCard";

type Props = {
  item: ThreadItem;
  /** A reply or an action is streaming: widget buttons wait. */
  busy: boolean;
  /** A widget's button was pressed. */
  onAction: (itemId: string, action: WidgetAction) => void;
};

/** One item of a thread; items this renderer does not know are skipped. */
export function ThreadItemView({ item, busy, onAction }: Props) {
  switch (item.type) {
    case "user_message":
      return (
        <div
          className="flex justify-end"
          data-testid="user-message"
          data-pending={item.id === PENDING_USER_ITEM_ID || undefined}
        >
          <p className="max-w-[85%] whitespace-pre-wrap break-words rounded-2xl rounded-br-sm bg-indigo-600 px-4 py-2 text-white">
            {userMessageText(item)}
          </p>
        </div>
      );
    case "assistant_message": {
      const text = assistantMessageText(item.content);
      if (!text) return null;
      return (
        <div className="flex justify-start" data-testid="assistant-message">
          <div className="min-w-0 max-w-[85%] rounded-2xl rounded-bl-sm border border-slate-200 bg-white px-4 py-2 shadow-sm">
            <Markdown text={text} />
          </div>
        </div>
      );
    }
    case "workflow":
      return <ToolCallCard tasks={item.workflow.tasks} title={item.workflow.summary?.title} />;
    case "task":
      return <ToolCallCard tasks={[item.task]} />;
    case "client_tool_call":
      return (
        <ToolCallCard
          tasks={[
            {
              type: "custom",
              title: item.name,
              content: JSON.stringify(item.arguments),
              status_indicator: item.status === "completed" ? "complete" : "loading",
            },
          ]}
        />
      );
    case "widget":
      if (!item.widget) return null;
      return (
        <div className="flex justify-start">
          <WidgetCard widget={item.widget} disabled={busy} onAction={(action) => onAction(item.id, action)} />
        </div>
      );
    default:
      return null;
  }
}
