"use client";

import { useState } from "react";

import { authClient, isRedirect } from "@/lib/auth/client";

/** Allow / Deny; Better Auth answers with the client's redirect (a code, or access_denied). */
export function ConsentForm() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function answer(accept: boolean) {
    setBusy(true);
    setError(null);
    const result = await authClient.oauth2.consent({ accept });
    if (result.error || !isRedirect(result.data)) {
      setError(result.error?.message ?? "That did not work. Start again from the application.");
      setBusy(false);
    }
  }

  return (
    <div className="space-y-3">
      {error && (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </p>
      )}
      <div className="flex gap-3">
        <button
          type="button"
          onClick={() => answer(false)}
          disabled={busy}
          className="flex-1 rounded-lg border border-slate-300 px-4 py-2.5 font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60"
        >
          Deny
        </button>
        <button
          type="button"
          onClick={() => answer(true)}
          disabled={busy}
          className="flex-1 rounded-lg bg-indigo-600 px-4 py-2.5 font-medium text-white hover:bg-indigo-700 disabled:opacity-60"
        >
          Allow
        </button>
      </div>
    </div>
  );
}
