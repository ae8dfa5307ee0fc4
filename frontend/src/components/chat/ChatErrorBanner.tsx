import type { ChatError } from "@/lib/chatkit/reducer";

type Props = { error: ChatError; onRetry: () => void; onDismiss: () => void };

export function ChatErrorBanner({ error, onRetry, onDismiss }: Props) {
  return (
    <div
      role="alert"
      data-testid="chat-error"
      className="flex flex-wrap items-center gap-3 rounded-xl border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800"
    >
      <span className="min-w-0 flex-1 break-words">{error.message}</span>
      {error.allowRetry && (
        <button
          type="button"
          onClick={onRetry}
          className="rounded-lg bg-red-600 px-3 py-1.5 font-medium text-white hover:bg-red-700"
        >
          Retry
        </button>
      )}
      <button
        type="button"
        onClick={onDismiss}
        className="rounded-lg px-3 py-1.5 font-medium text-red-700 hover:bg-red-100"
      >
        Dismiss
      </button>
    </div>
  );
}
