// Better Auth's storage: PostgreSQL when AUTH_DATABASE_URL says so, else a local SQLite file.
import "server-only";

import fs from "node:fs";
import path from "node:path";

import Database from "better-sqlite3";
import { Pool } from "pg";

export type AuthDatabase = Pool | Database.Database;

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?(\+[a-z0-9]+)?:\/\//i.test(url);
}

/** `postgresql+asyncpg://…` (the Python services' form) becomes `postgresql://…` for `pg`. */
export function toPgConnectionString(url: string): string {
  return url.replace(/^postgres(ql)?\+[a-z0-9]+:\/\//i, "postgresql://");
}

/** `sqlite:///abs/path`, `file:rel/path` or a plain path → a filesystem path. */
export function sqlitePath(url: string): string {
  const stripped = url.replace(/^sqlite(\+[a-z0-9]+)?:\/\//i, "").replace(/^file:/i, "");
  return path.resolve(stripped);
}

export function openAuthDatabase(url: string): AuthDatabase {
  if (isPostgresUrl(url)) {
    return new Pool({ connectionString: toPgConnectionString(url), max: 10 });
  }
  const file = sqlitePath(url);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  return db;
}
