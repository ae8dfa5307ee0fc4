"use client";

import { useChatKitScript } from "@/hooks/useChatKitScript";

import { OfficialChatKit } from "./OfficialChatKit";
import { ProtocolChat, type ChatRendererProps } from "./ProtocolChat";

/**
 * Picks the renderer: OpenAI's component only when a domain key is configured and its script
 * loads; otherwise (offline, self-hosted, tests) our own renderer of the same protocol.
 */
export function ChatPanel({ chatKitDomainKey, ...props }: ChatRendererProps & { chatKitDomainKey: string | null }) {
  const script = useChatKitScript(chatKitDomainKey !== null);
  if (chatKitDomainKey && script === "ready") return <OfficialChatKit domainKey={chatKitDomainKey} {...props} />;
  if (chatKitDomainKey && script === "loading") {
    return <p className="flex flex-1 items-center justify-center text-sm text-slate-500">Loading chat…</p>;
  }
  return <ProtocolChat {...props} />;
}
