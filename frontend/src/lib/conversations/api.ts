import { z } from "zod";

import { getJson } from "@/lib/http";

/** A conversation as history-service lists it (a ChatKit thread has the same id). */
const conversationSchema = z.looseObject({
  id: z.string(),
  title: z.string().nullish(),
  updated_at: z.string(),
  last_message_preview: z.string().nullish(),
});

const conversationPageSchema = z.looseObject({
  items: z.array(conversationSchema),
  next_cursor: z.string().nullish(),
  has_more: z.boolean(),
});

export type Conversation = z.infer<typeof conversationSchema>;
export type ConversationPage = z.infer<typeof conversationPageSchema>;

const CONVERSATION_PAGE_SIZE = 20;

export function fetchConversations(params: { q?: string; cursor?: string | null }): Promise<ConversationPage> {
  const query = new URLSearchParams({ limit: String(CONVERSATION_PAGE_SIZE) });
  if (params.q) query.set("q", params.q);
  if (params.cursor) query.set("cursor", params.cursor);
  return getJson(`/api/conversations?${query}`, conversationPageSchema);
}
