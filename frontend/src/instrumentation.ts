// Runs once when the Next.js server starts: Better Auth's tables must exist before any request.
import { PHASE_PRODUCTION_BUILD } from "next/constants";

export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // `next build` loads this file too; a build must not touch (or need) the auth database.
  if (process.env.NEXT_PHASE === PHASE_PRODUCTION_BUILD) return;
  const { migrateAuthDatabase } = await import("@/lib/auth/server");
  const { checkEnvironment } = await import("@/lib/server/env");
  try {
    checkEnvironment();
    await migrateAuthDatabase();
  } catch (error) {
    // A missing secret, a malformed limit or an unreachable database: refuse to serve at all
    // (rather than answer 500 to every request), saying why.
    console.error(`Cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
