"use client";

type Props = { error: unknown; retry: () => void };

/** The page failed to render (e.g. the session store was unreachable): say so and offer a retry. */
export default function PageError({ retry }: Props) {
  return (
    <main className="flex min-h-full items-center justify-center px-4 py-12">
      <div
        role="alert"
        className="w-full max-w-sm space-y-4 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm"
      >
        <div>
          <p className="text-sm font-medium text-indigo-600">Todo Assistant</p>
          <h1 className="mt-1 text-2xl font-semibold">Something went wrong</h1>
        </div>
        <p className="text-sm text-slate-600">This page could not be loaded. Please try again in a moment.</p>
        <button
          type="button"
          onClick={retry}
          className="w-full rounded-lg bg-indigo-600 px-4 py-2.5 font-medium text-white hover:bg-indigo-700"
        >
          Try again
        </button>
      </div>
    </main>
  );
}
