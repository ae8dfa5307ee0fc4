export function TypingIndicator({ label }: { label?: string | null }) {
  return (
    <div
      role="status"
      aria-label="Assistant is typing"
      data-testid="typing-indicator"
      className="flex items-center gap-2 px-1 text-sm text-slate-500"
    >
      <span className="flex gap-1" aria-hidden>
        {[0, 1, 2].map((dot) => (
          <span
            key={dot}
            className="typing-dot h-2 w-2 rounded-full bg-slate-400"
            style={{ animationDelay: `${dot * 0.15}s` }}
          />
        ))}
      </span>
      {label && <span>{label}</span>}
    </div>
  );
}
