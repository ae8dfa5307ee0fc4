import { requestJson } from "@/lib/http";

/** A conversation as history-service describes it (a ChatKit thread has the same id). */
export type Conversation = {
  id: string;
  user_id: string;
  title: string | null;
  created_at: string;
  updated_at: string;
  message_count: number;
  last_message_preview: string | null;
};

export type ConversationPage = { items: Conversation[]; next_cursor: string | null; has_more: boolean };

export const CONVERSATION_PAGE_SIZE = 20;

export function fetchConversations(params: { q?: string; cursor?: string | null }): Promise<ConversationPage> {
  const query = new URLSearchParams({ limit: String(CONVERSATION_PAGE_SIZE) });
  if (params.q) query.set("q", params.q);
  if (params.cursor) query.set("cursor", params.cursor);
  return requestJson<ConversationPage>(`/api/conversations?${query}`);
}
