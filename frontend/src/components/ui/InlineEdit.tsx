"use client";

import { useRef, useState, type FormEvent } from "react";

type Props = {
  initial: string;
  label: string;
  maxLength: number;
  onSave: (value: string) => void;
  onCancel: () => void;
};

/** A one-line text field that saves on Enter or blur and cancels on Escape. */
export function InlineEdit({ initial, label, maxLength, onSave, onCancel }: Props) {
  const [value, setValue] = useState(initial);
  const finished = useRef(false);

  function cancel() {
    if (finished.current) return;
    finished.current = true;
    onCancel();
  }

  function save(event?: FormEvent) {
    event?.preventDefault();
    if (finished.current) return;
    const trimmed = value.trim();
    if (!trimmed || trimmed === initial) return cancel();
    finished.current = true;
    onSave(trimmed);
  }

  return (
    <form onSubmit={save} className="min-w-0 flex-1">
      <input
        aria-label={label}
        value={value}
        maxLength={maxLength}
        autoFocus
        onChange={(event) => setValue(event.target.value)}
        onBlur={() => save()}
        onKeyDown={(event) => event.key === "Escape" && cancel()}
        className="w-full rounded-md border border-indigo-400 px-2 py-1 text-sm outline-none ring-2 ring-indigo-100"
      />
    </form>
  );
}
