import type { CardWidget, WidgetAction } from "@/lib/chatkit/schemas";
import { widgetTextLines } from "@/lib/chatkit/widgets";

type Props = {
  widget: CardWidget;
  /** While an action (or any reply) streams, the buttons are disabled. */
  disabled: boolean;
  onAction: (action: WidgetAction) => void;
};

/** A ChatKit Card widget: its text, then its confirm and cancel buttons (the server's consent question). */
export function WidgetCard({ widget, disabled, onAction }: Props) {
  const lines = widgetTextLines(widget.children);
  const { confirm, cancel } = widget;
  return (
    <div
      role="group"
      aria-label={confirm || cancel ? "Confirmation" : undefined}
      data-testid="widget-card"
      className="max-w-[85%] rounded-xl border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-slate-800"
    >
      {lines.map((line, index) => (
        <p key={index} className="whitespace-pre-wrap break-words">
          {line}
        </p>
      ))}
      {(confirm || cancel) && (
        <div className="mt-3 flex gap-2">
          {confirm && (
            <button
              type="button"
              disabled={disabled}
              onClick={() => onAction(confirm.action)}
              className="rounded-lg bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700 disabled:opacity-50"
            >
              {confirm.label}
            </button>
          )}
          {cancel && (
            <button
              type="button"
              disabled={disabled}
              onClick={() => onAction(cancel.action)}
              className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-700 hover:bg-slate-100 disabled:opacity-50"
            >
              {cancel.label}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
