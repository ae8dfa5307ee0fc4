"use client";

import { useState, type FormEvent, type KeyboardEvent } from "react";

import { MAX_MESSAGE_LENGTH, MESSAGE_LENGTH_WARNING } from "@/lib/limits";

type Props = { disabled: boolean; onSend: (text: string) => void };

/** The message box: Enter sends, Shift+Enter breaks the line; over-long messages cannot be sent. */
export function Composer({ disabled, onSend }: Props) {
  const [text, setText] = useState("");
  const length = text.length;
  const tooLong = length > MAX_MESSAGE_LENGTH;
  const canSend = !disabled && !tooLong && text.trim().length > 0;

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!canSend) return;
    onSend(text.trim());
    setText("");
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  return (
    <form onSubmit={submit} className="border-t border-slate-200 bg-white p-3">
      <div
        className={`flex items-end gap-2 rounded-xl border px-3 py-2 ${tooLong ? "border-red-400" : "border-slate-300 focus-within:border-indigo-500"}`}
      >
        <textarea
          aria-label="Message"
          aria-invalid={tooLong}
          aria-describedby="message-length"
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          rows={1}
          placeholder="Message the assistant…"
          className="max-h-40 min-h-[2.5rem] flex-1 resize-none bg-transparent py-2 text-base outline-none"
        />
        <button
          type="submit"
          disabled={!canSend}
          className="shrink-0 rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-50"
        >
          Send
        </button>
      </div>
      <LengthHint length={length} />
    </form>
  );
}

function LengthHint({ length }: { length: number }) {
  const over = length - MAX_MESSAGE_LENGTH;
  const tone = over > 0 ? "text-red-600" : length >= MESSAGE_LENGTH_WARNING ? "text-amber-600" : "text-slate-400";
  return (
    <p
      id="message-length"
      data-testid="message-length"
      aria-live="polite"
      className={`mt-1 flex justify-between gap-2 px-1 text-xs ${tone}`}
    >
      <span>
        {over > 0
          ? `Too long by ${over.toLocaleString("en")} character${over === 1 ? "" : "s"} — shorten it to send.`
          : ""}
      </span>
      <span>
        {length.toLocaleString("en")} / {MAX_MESSAGE_LENGTH.toLocaleString("en")}
      </span>
    </p>
  );
}
