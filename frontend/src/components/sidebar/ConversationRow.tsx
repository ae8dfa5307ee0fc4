"use client";

import { useState } from "react";

import { PencilIcon, TrashIcon } from "@/components/ui/icons";
import { InlineEdit } from "@/components/ui/InlineEdit";
import type { Conversation } from "@/lib/conversations/api";
import { relativeTime } from "@/lib/format/relative-time";

export const UNTITLED = "New conversation";
const TITLE_MAX = 200;

type Props = {
  conversation: Conversation;
  selected: boolean;
  onSelect: () => void;
  onRename: (title: string) => void;
  onDelete: () => void;
};

export function ConversationRow({ conversation, selected, onSelect, onRename, onDelete }: Props) {
  const [editing, setEditing] = useState(false);
  const title = conversation.title || UNTITLED;

  return (
    <li
      data-testid="conversation"
      data-conversation-id={conversation.id}
      aria-current={selected || undefined}
      className={`group relative rounded-lg ${selected ? "bg-indigo-50 ring-1 ring-indigo-200" : "hover:bg-slate-100"}`}
    >
      {editing ? (
        <div className="flex p-2">
          <InlineEdit
            initial={conversation.title ?? ""}
            label="Conversation title"
            maxLength={TITLE_MAX}
            onCancel={() => setEditing(false)}
            onSave={(value) => {
              setEditing(false);
              onRename(value);
            }}
          />
        </div>
      ) : (
        <button type="button" onClick={onSelect} className="block w-full min-w-0 px-3 py-2 pr-16 text-left">
          <span className="flex items-baseline justify-between gap-2">
            <span data-testid="conversation-title" className="truncate text-sm font-medium">
              {title}
            </span>
          </span>
          <span className="block text-xs text-slate-400">{relativeTime(conversation.updated_at)}</span>
          {conversation.last_message_preview && (
            <span data-testid="conversation-preview" className="block truncate text-xs text-slate-500">
              {conversation.last_message_preview}
            </span>
          )}
        </button>
      )}
      {!editing && (
        <div className="absolute right-1 top-1.5 flex gap-0.5 sm:opacity-0 sm:group-focus-within:opacity-100 sm:group-hover:opacity-100">
          <IconButton label={`Rename ${title}`} onClick={() => setEditing(true)}>
            <PencilIcon />
          </IconButton>
          <IconButton label={`Delete ${title}`} onClick={onDelete}>
            <TrashIcon />
          </IconButton>
        </div>
      )}
    </li>
  );
}

function IconButton({ label, onClick, children }: { label: string; onClick: () => void; children: React.ReactNode }) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      onClick={onClick}
      className="rounded-md p-1.5 text-xs text-slate-500 hover:bg-white hover:text-slate-900"
    >
      {children}
    </button>
  );
}
