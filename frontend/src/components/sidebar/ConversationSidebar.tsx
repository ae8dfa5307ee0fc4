"use client";

import { useEffect, useRef, useState } from "react";

import { ConfirmDialog } from "@/components/ui/ConfirmDialog";
import type { ConversationList } from "@/hooks/useConversations";
import type { Conversation } from "@/lib/conversations/api";

import { ConversationRow, UNTITLED } from "./ConversationRow";

type Props = {
  list: ConversationList;
  selectedId: string | null;
  onSelect: (id: string | null) => void;
};

/** The user's conversations: new, search by title, rename, delete, more on scroll. */
export function ConversationSidebar({ list, selectedId, onSelect }: Props) {
  const [pendingDelete, setPendingDelete] = useState<Conversation | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  async function act(action: () => Promise<unknown>) {
    setActionError(null);
    try {
      await action();
    } catch (error) {
      setActionError(error instanceof Error ? error.message : "That did not work.");
    }
  }

  async function confirmDelete(conversation: Conversation) {
    setPendingDelete(null);
    if (conversation.id === selectedId) onSelect(null);
    await act(() => list.remove(conversation.id));
  }

  return (
    <nav aria-label="Conversations" className="flex h-full min-h-0 flex-col">
      <div className="space-y-2 p-3">
        <button
          type="button"
          onClick={() => onSelect(null)}
          className="w-full rounded-lg bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-700"
        >
          + New conversation
        </button>
        <input
          type="search"
          aria-label="Search conversations"
          placeholder="Search by title…"
          value={list.search}
          onChange={(event) => list.setSearch(event.target.value)}
          className="w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm outline-none focus:border-indigo-500"
        />
      </div>
      {(list.error || actionError) && (
        <p role="alert" className="mx-3 mb-2 rounded-lg bg-red-50 px-3 py-2 text-xs text-red-700">
          {actionError ?? list.error}
        </p>
      )}
      <ul data-testid="conversation-list" className="min-h-0 flex-1 space-y-1 overflow-y-auto px-2 pb-3">
        {list.items.map((conversation) => (
          <ConversationRow
            key={conversation.id}
            conversation={conversation}
            selected={conversation.id === selectedId}
            onSelect={() => onSelect(conversation.id)}
            onRename={(title) => act(() => list.rename(conversation.id, title))}
            onDelete={() => setPendingDelete(conversation)}
          />
        ))}
        {!list.loading && list.items.length === 0 && !list.error && (
          <li className="px-3 py-6 text-center text-sm text-slate-500">
            {list.query ? "No conversation matches." : "No conversations yet."}
          </li>
        )}
        {list.hasMore && !list.loading && <LoadMoreSentinel key={list.items.length} onVisible={list.loadMore} />}
        {list.loading && <li className="px-3 py-2 text-center text-xs text-slate-400">Loading…</li>}
      </ul>
      {pendingDelete && (
        <ConfirmDialog
          title="Delete conversation?"
          message={`“${pendingDelete.title || UNTITLED}” and its messages will be deleted.`}
          confirmLabel="Delete"
          onCancel={() => setPendingDelete(null)}
          onConfirm={() => confirmDelete(pendingDelete)}
        />
      )}
    </nav>
  );
}

/** Calls `onVisible` whenever it scrolls into view: the next page loads on scroll. */
function LoadMoreSentinel({ onVisible }: { onVisible: () => void }) {
  const ref = useRef<HTMLLIElement>(null);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new IntersectionObserver(
      (entries) => entries.some((entry) => entry.isIntersecting) && onVisible(),
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [onVisible]);

  return <li ref={ref} data-testid="load-more" aria-hidden className="h-4" />;
}
