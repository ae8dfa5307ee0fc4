"use client";

import Link from "next/link";
import { useCallback, useState } from "react";

import { SignOutButton } from "@/components/auth/SignOutButton";
import { ChatPanel } from "@/components/chat/ChatPanel";
import { ConversationSidebar } from "@/components/sidebar/ConversationSidebar";
import { TaskPanel } from "@/components/tasks/TaskPanel";
import { useConversations } from "@/hooks/useConversations";
import { useTasks } from "@/hooks/useTasks";

type View = "conversations" | "chat" | "tasks";

const VIEWS: { id: View; label: string }[] = [
  { id: "conversations", label: "Chats" },
  { id: "chat", label: "Chat" },
  { id: "tasks", label: "Tasks" },
];

type Props = { userEmail: string; initialThreadId: string | null; chatKitDomainKey: string | null };

/** The signed-in page: conversations | chat | tasks side by side, or one at a time on a phone. */
export function ChatWorkspace({ userEmail, initialThreadId, chatKitDomainKey }: Props) {
  const [threadId, setThreadIdState] = useState<string | null>(initialThreadId);
  const [view, setView] = useState<View>("chat");
  const conversations = useConversations();
  const tasks = useTasks();
  const { revalidate: revalidateConversations } = conversations;
  const { revalidate: revalidateTasks } = tasks;

  // The open conversation lives in the URL, so a reload (or a shared link) reopens it.
  const setThreadId = useCallback((id: string | null) => {
    setThreadIdState(id);
    window.history.replaceState(null, "", id ? `/?c=${encodeURIComponent(id)}` : "/");
  }, []);
  const onTurnFinished = useCallback(() => {
    revalidateConversations();
    revalidateTasks();
  }, [revalidateConversations, revalidateTasks]);
  const onThreadCreated = useCallback(
    (id: string) => {
      setThreadId(id);
      revalidateConversations();
    },
    [revalidateConversations, setThreadId],
  );
  const selectThread = useCallback(
    (id: string | null) => {
      setThreadId(id);
      setView("chat");
    },
    [setThreadId],
  );

  const shown = (panel: View) => (view === panel ? "flex" : "hidden");

  return (
    <div className="flex h-dvh flex-col overflow-hidden">
      <header className="flex items-center gap-2 border-b border-slate-200 bg-white px-3 py-2">
        <h1 className="shrink-0 truncate font-semibold text-indigo-700">
          Todo<span className="hidden sm:inline"> Assistant</span>
        </h1>
        <div role="tablist" aria-label="Panels" className="ml-auto flex gap-1 lg:hidden">
          {VIEWS.map(({ id, label }) => (
            <button
              key={id}
              type="button"
              role="tab"
              aria-selected={view === id}
              onClick={() => setView(id)}
              className={`rounded-lg px-2.5 py-1.5 text-sm font-medium ${view === id ? "bg-indigo-600 text-white" : "text-slate-600 hover:bg-slate-100"}`}
            >
              {label}
            </button>
          ))}
        </div>
        <span data-testid="user-email" className="ml-auto hidden truncate text-sm text-slate-500 lg:inline">
          {userEmail}
        </span>
        <Link
          href="/settings/connections"
          className="shrink-0 whitespace-nowrap rounded-lg px-2.5 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100"
        >
          Connected apps
        </Link>
        <SignOutButton />
      </header>
      <div className="flex min-h-0 flex-1">
        <aside
          className={`${shown("conversations")} w-full min-w-0 flex-col border-r border-slate-200 bg-white lg:flex lg:w-72 lg:shrink-0`}
        >
          <ConversationSidebar list={conversations} selectedId={threadId} onSelect={selectThread} />
        </aside>
        <main className={`${shown("chat")} min-w-0 flex-1 flex-col bg-background lg:flex`}>
          <ChatPanel
            chatKitDomainKey={chatKitDomainKey}
            threadId={threadId}
            onThreadCreated={onThreadCreated}
            onTurnFinished={onTurnFinished}
            onToolFinished={revalidateTasks}
          />
        </main>
        <aside
          className={`${shown("tasks")} w-full min-w-0 flex-col border-l border-slate-200 bg-white lg:flex lg:w-80 lg:shrink-0`}
        >
          <TaskPanel list={tasks} />
        </aside>
      </div>
    </div>
  );
}
