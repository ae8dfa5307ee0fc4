"use client";

import { useEffect, useState } from "react";

const CHATKIT_SCRIPT_URL = "https://cdn.platform.openai.com/deployments/chatkit/chatkit.js";
const ELEMENT_NAME = "openai-chatkit";
const LOAD_TIMEOUT_MS = 6000;

export type ScriptStatus = "loading" | "ready" | "failed";

/** Loads OpenAI's ChatKit web component; "failed" when it errors or is not defined in time (offline). */
export function useChatKitScript(enabled: boolean): ScriptStatus {
  const [status, setStatus] = useState<ScriptStatus>(() => (enabled ? "loading" : "failed"));

  useEffect(() => {
    if (!enabled) return;
    let settled = false;
    const settle = (next: ScriptStatus) => {
      if (settled) return;
      settled = true;
      setStatus(next);
    };
    // Resolves at once when the element is already defined (the script ran on an earlier page).
    customElements.whenDefined(ELEMENT_NAME).then(() => settle("ready"));
    const timer = window.setTimeout(() => settle("failed"), LOAD_TIMEOUT_MS);
    let script = document.querySelector<HTMLScriptElement>(`script[src="${CHATKIT_SCRIPT_URL}"]`);
    if (!script) {
      script = document.createElement("script");
      script.src = CHATKIT_SCRIPT_URL;
      script.async = true;
      document.head.appendChild(script);
    }
    const onError = () => settle("failed");
    script.addEventListener("error", onError);
    return () => {
      window.clearTimeout(timer);
      script?.removeEventListener("error", onError);
      settled = true;
    };
  }, [enabled]);

  return status;
}
