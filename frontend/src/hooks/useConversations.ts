"use client";

import { useCallback, useEffect, useRef, useState } from "react";

import { fetchConversations, type Conversation } from "@/lib/conversations/api";

export type ConversationList = {
  items: Conversation[];
  loading: boolean;
  error: string | null;
  hasMore: boolean;
  loadMore: () => void;
};

/** The user's conversations, newest first, filtered by title; `version` bumps force a reload. */
export function useConversations(search: string, version: number): ConversationList {
  const [items, setItems] = useState<Conversation[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);

  useEffect(() => {
    const current = ++generation.current;
    setLoading(true);
    fetchConversations({ q: search })
      .then((page) => {
        if (current !== generation.current) return;
        setItems(page.items);
        setCursor(page.next_cursor);
        setHasMore(page.has_more);
        setError(null);
      })
      .catch((failure: Error) => current === generation.current && setError(failure.message))
      .finally(() => current === generation.current && setLoading(false));
  }, [search, version]);

  const loadMore = useCallback(() => {
    if (loading || !hasMore || !cursor) return;
    const current = generation.current;
    setLoading(true);
    fetchConversations({ q: search, cursor })
      .then((page) => {
        if (current !== generation.current) return;
        setItems((previous) => appendUnique(previous, page.items));
        setCursor(page.next_cursor);
        setHasMore(page.has_more);
      })
      .catch((failure: Error) => current === generation.current && setError(failure.message))
      .finally(() => current === generation.current && setLoading(false));
  }, [cursor, hasMore, loading, search]);

  return { items, loading, error, hasMore, loadMore };
}

function appendUnique(existing: Conversation[], more: Conversation[]): Conversation[] {
  const seen = new Set(existing.map((conversation) => conversation.id));
  return [...existing, ...more.filter((conversation) => !seen.has(conversation.id))];
}
