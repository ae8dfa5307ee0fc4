"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

import { authClient } from "@/lib/auth/client";

/** Deletes the consent; the server also revokes that client's refresh tokens for this user. */
export function RevokeButton({ consentId, clientName }: { consentId: string; clientName: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);

  async function revoke() {
    setBusy(true);
    const result = await authClient.oauth2.deleteConsent({ id: consentId });
    setFailed(Boolean(result.error));
    setBusy(false);
    router.refresh();
  }

  return (
    <div className="shrink-0 text-right">
      <button
        type="button"
        onClick={revoke}
        disabled={busy}
        aria-label={`Revoke ${clientName}`}
        className="rounded-lg border border-red-200 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-60"
      >
        Revoke
      </button>
      {failed && (
        <p role="alert" className="mt-1 text-xs text-red-700">
          Could not revoke. Try again.
        </p>
      )}
    </div>
  );
}
