/** Shown at once while the server checks the session and renders the page. */
export default function Loading() {
  return (
    <div className="flex h-dvh flex-col">
      <header className="border-b border-slate-200 bg-white px-3 py-2 font-semibold text-indigo-700">
        Todo Assistant
      </header>
      <p role="status" className="flex flex-1 items-center justify-center gap-2 text-sm text-slate-500">
        <span
          aria-hidden
          className="inline-block h-4 w-4 animate-spin rounded-full border-2 border-indigo-300 border-t-indigo-600"
        />
        Loading…
      </p>
    </div>
  );
}
