"use client";

import { useEffect } from "react";

import { useChatThread } from "@/hooks/useChatThread";

import { ChatErrorBanner } from "./ChatErrorBanner";
import { Composer } from "./Composer";
import { EmptyChat } from "./EmptyChat";
import { MessageList } from "./MessageList";

export type ChatRendererProps = {
  threadId: string | null;
  onThreadCreated: (threadId: string) => void;
  onTurnFinished: () => void;
  /** A tool finished mid-reply: the task list may refresh before the reply ends. */
  onToolFinished: () => void;
};

/** Our own renderer of the ChatKit protocol: needs nothing but the /chatkit endpoint. */
export function ProtocolChat({ threadId, onThreadCreated, onTurnFinished, onToolFinished }: ChatRendererProps) {
  const chat = useChatThread(threadId, { onThreadCreated, onTurnFinished });
  const { toolActivity } = chat;

  useEffect(() => {
    if (toolActivity > 0) onToolFinished();
  }, [toolActivity, onToolFinished]);
  const streaming = chat.status === "streaming";
  const empty = chat.items.length === 0 && chat.status !== "loading";

  return (
    <section
      data-testid="chat-panel"
      data-renderer="protocol"
      aria-label="Chat"
      className="flex min-h-0 flex-1 flex-col"
    >
      {chat.status === "loading" && <p className="px-6 py-4 text-sm text-slate-500">Loading conversation…</p>}
      {empty && !chat.error ? (
        <EmptyChat onPick={chat.send} />
      ) : (
        <MessageList items={chat.items} streaming={streaming} progress={chat.progress} onAction={chat.act}>
          {chat.error && <ChatErrorBanner error={chat.error} onRetry={chat.retry} onDismiss={chat.dismissError} />}
        </MessageList>
      )}
      <Composer disabled={streaming || chat.status === "loading"} onSend={chat.send} />
    </section>
  );
}
