"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { authClient, isRedirect } from "@/lib/auth/client";

type Mode = "sign-in" | "sign-up";

const COPY: Record<
  Mode,
  { title: string; submit: string; busy: string; switchText: string; switchLink: string; switchHref: string }
> = {
  "sign-in": {
    title: "Sign in",
    submit: "Sign in",
    busy: "Signing in…",
    switchText: "New here?",
    switchLink: "Create an account",
    switchHref: "/sign-up",
  },
  "sign-up": {
    title: "Create your account",
    submit: "Sign up",
    busy: "Creating account…",
    switchText: "Already have an account?",
    switchLink: "Sign in",
    switchHref: "/sign-in",
  },
};

/**
 * `oauthQuery` is the signed query of an OAuth authorization in progress ("" otherwise): the
 * switch link keeps it, so signing up instead of in continues the same authorization.
 */
export function AuthForm({ mode, oauthQuery = "" }: { mode: Mode; oauthQuery?: string }) {
  const router = useRouter();
  const copy = COPY[mode];
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const name = String(form.get("name") ?? "").trim() || email.split("@")[0];
    setBusy(true);
    setError(null);
    const result =
      mode === "sign-up"
        ? await authClient.signUp.email({ email, password, name })
        : await authClient.signIn.email({ email, password });
    if (result.error) {
      setError(result.error.message ?? "That did not work. Please try again.");
      setBusy(false);
      return;
    }
    // Within an OAuth authorization the answer says where to go next (consent or the client).
    if (isRedirect(result.data)) return;
    router.replace("/");
    router.refresh();
  }

  return (
    <main className="flex min-h-full items-center justify-center px-4 py-12">
      <form
        onSubmit={onSubmit}
        className="w-full max-w-sm space-y-4 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm"
        aria-labelledby="auth-title"
      >
        <div>
          <p className="text-sm font-medium text-indigo-600">Todo Assistant</p>
          <h1 id="auth-title" className="mt-1 text-2xl font-semibold">
            {copy.title}
          </h1>
        </div>
        {mode === "sign-up" && <Field label="Name" name="name" type="text" autoComplete="name" required={false} />}
        <Field label="Email" name="email" type="email" autoComplete="email" />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete={mode === "sign-up" ? "new-password" : "current-password"}
          minLength={8}
        />
        {error && (
          <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
            {error}
          </p>
        )}
        <button
          type="submit"
          disabled={busy}
          className="w-full rounded-lg bg-indigo-600 px-4 py-2.5 font-medium text-white hover:bg-indigo-700 disabled:opacity-60"
        >
          {busy ? copy.busy : copy.submit}
        </button>
        <p className="text-center text-sm text-slate-600">
          {copy.switchText}{" "}
          <Link href={copy.switchHref + oauthQuery} className="font-medium text-indigo-600 hover:underline">
            {copy.switchLink}
          </Link>
        </p>
      </form>
    </main>
  );
}

type FieldProps = {
  label: string;
  name: string;
  type: string;
  autoComplete: string;
  required?: boolean;
  minLength?: number;
};

function Field({ label, name, type, autoComplete, required = true, minLength }: FieldProps) {
  return (
    <label className="block text-sm font-medium text-slate-700">
      {label}
      <input
        name={name}
        type={type}
        autoComplete={autoComplete}
        required={required}
        minLength={minLength}
        className="mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-base outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-200"
      />
    </label>
  );
}
