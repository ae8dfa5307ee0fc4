"use client";

import { useEffect, useRef } from "react";

import { isAssistantWriting } from "@/lib/chatkit/reducer";
import type { ThreadItem, WidgetAction } from "@/lib/chatkit/schemas";

import { ThreadItemView } from "./ThreadItemView";
import { TypingIndicator } from "./TypingIndicator";

type Props = {
  items: ThreadItem[];
  streaming: boolean;
  progress: string | null;
  onAction: (itemId: string, action: WidgetAction) => void;
  children?: React.ReactNode;
};

/** The conversation, kept scrolled to the newest message while a reply streams in. */
export function MessageList({ items, streaming, progress, onAction, children }: Props) {
  const end = useRef<HTMLDivElement>(null);
  const lastItem = items[items.length - 1];
  const scrollKey = `${items.length}:${JSON.stringify(lastItem ?? null).length}:${streaming}`;

  useEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [scrollKey]);

  return (
    <div data-testid="message-list" className="min-h-0 flex-1 overflow-y-auto px-3 py-4 sm:px-6">
      <div className="mx-auto flex max-w-3xl flex-col gap-3">
        {items.map((item) => (
          <ThreadItemView key={item.id} item={item} busy={streaming} onAction={onAction} />
        ))}
        {streaming && !isAssistantWriting(items) && <TypingIndicator label={progress} />}
        {children}
        <div ref={end} />
      </div>
    </div>
  );
}
