"use client";

import { ChatKit, useChatKit } from "@openai/chatkit-react";

import type { ChatRendererProps } from "./ProtocolChat";

const sameOriginFetch: typeof fetch = (input, init) => fetch(input, { ...init, credentials: "same-origin" });

/** OpenAI's ChatKit web component, pointed at our same-origin /chatkit endpoint. */
export function OfficialChatKit({
  domainKey,
  threadId,
  onThreadCreated,
  onTurnFinished,
}: ChatRendererProps & { domainKey: string }) {
  const chatKit = useChatKit({
    api: { url: "/chatkit", domainKey, fetch: sameOriginFetch },
    initialThread: threadId,
    history: { enabled: false },
    onThreadChange: ({ threadId: next }) => {
      if (next) onThreadCreated(next);
    },
    onResponseEnd: onTurnFinished,
  });
  return (
    <section
      data-testid="chat-panel"
      data-renderer="official"
      aria-label="Chat"
      className="flex min-h-0 flex-1 flex-col"
    >
      <ChatKit control={chatKit.control} className="h-full w-full" />
    </section>
  );
}
