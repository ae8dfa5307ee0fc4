const SUGGESTIONS = [
  "Add a task to buy groceries",
  "Show me all my tasks",
  "What's pending?",
  "Mark task 1 as complete",
];

export function EmptyChat({ onPick }: { onPick: (text: string) => void }) {
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-4 px-4 text-center">
      <div>
        <h2 className="text-xl font-semibold">What needs doing?</h2>
        <p className="mt-1 text-sm text-slate-500">
          Tell the assistant in your own words. It keeps your task list up to date.
        </p>
      </div>
      <div className="flex max-w-md flex-wrap justify-center gap-2">
        {SUGGESTIONS.map((suggestion) => (
          <button
            key={suggestion}
            type="button"
            onClick={() => onPick(suggestion)}
            className="rounded-full border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 hover:border-indigo-400 hover:text-indigo-700"
          >
            {suggestion}
          </button>
        ))}
      </div>
    </div>
  );
}
