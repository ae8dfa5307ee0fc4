"use client";

import { useCallback, useState } from "react";
import useSWRInfinite from "swr/infinite";

import { useDebouncedValue } from "@/hooks/useDebouncedValue";
import { threads } from "@/lib/chatkit/threads";
import { fetchConversations, type Conversation, type ConversationPage } from "@/lib/conversations/api";

const SEARCH_DELAY_MS = 250;

export type ConversationList = {
  /** What the search box holds, and the (debounced, trimmed) title filter the list uses. */
  search: string;
  setSearch: (search: string) => void;
  query: string;
  items: Conversation[];
  loading: boolean;
  error: string | null;
  hasMore: boolean;
  loadMore: () => void;
  /** Fetches the loaded pages again (e.g. after a reply changed a conversation). */
  revalidate: () => void;
  rename: (id: string, title: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
};

type PageKey = readonly ["conversations", string, string | null];

/** The user's conversations, most recently active first, filtered by title, a page at a time. */
export function useConversations(): ConversationList {
  const [search, setSearch] = useState("");
  const query = useDebouncedValue(search.trim(), SEARCH_DELAY_MS);
  const pageKey = (index: number, previous: ConversationPage | null): PageKey | null =>
    previous && !previous.has_more ? null : ["conversations", query, previous?.next_cursor ?? null];
  const { data, error, isLoading, size, setSize, mutate } = useSWRInfinite(
    pageKey,
    ([, q, cursor]: PageKey) => fetchConversations({ q, cursor }),
    // While another search loads, the last results stay on screen.
    { keepPreviousData: true },
  );
  const revalidate = useCallback(() => void mutate(), [mutate]);

  const pages = data ?? [];
  const loading = isLoading || (size > 0 && pages[size - 1] === undefined);
  const hasMore = pages.at(-1)?.has_more ?? false;

  const loadMore = useCallback(() => {
    if (!loading && hasMore) void setSize(size + 1);
  }, [hasMore, loading, setSize, size]);

  async function changed(request: Promise<unknown>) {
    try {
      await request;
    } finally {
      revalidate();
    }
  }

  return {
    search,
    setSearch,
    query,
    items: uniqueById(pages.flatMap((page) => page.items)),
    loading,
    error: error instanceof Error ? error.message : null,
    hasMore,
    loadMore,
    revalidate,
    rename: (id, title) => changed(threads.rename(id, title)),
    remove: (id) => changed(threads.remove(id)),
  };
}

/** Pages fetched while the list changed may repeat a conversation: keep its first place. */
function uniqueById(conversations: Conversation[]): Conversation[] {
  const seen = new Set<string>();
  return conversations.filter((conversation) => {
    if (seen.has(conversation.id)) return false;
    seen.add(conversation.id);
    return true;
  });
}
