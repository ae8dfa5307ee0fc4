import path from "node:path";

import { describe, expect, it } from "vitest";

import { isPostgresUrl, sqlitePath, toPgConnectionString } from "./database";

describe("auth database URLs", () => {
  it.each(["postgresql://u@h/db", "postgres://u@h/db", "postgresql+asyncpg://u@h/db"])("%s is PostgreSQL", (url) => {
    expect(isPostgresUrl(url)).toBe(true);
  });

  it.each([".data/auth.db", "sqlite:///tmp/auth.db", "file:auth.db"])("%s is SQLite", (url) => {
    expect(isPostgresUrl(url)).toBe(false);
  });

  it("drops the Python driver suffix for pg", () => {
    expect(toPgConnectionString("postgresql+asyncpg://postgres@127.0.0.1:5432/auth")).toBe(
      "postgresql://postgres@127.0.0.1:5432/auth",
    );
    expect(toPgConnectionString("postgres://x@y/z")).toBe("postgres://x@y/z");
  });

  it("turns SQLite URLs into absolute paths", () => {
    expect(sqlitePath("sqlite:////tmp/auth.db")).toBe("/tmp/auth.db");
    expect(sqlitePath("sqlite+aiosqlite:////tmp/a.db")).toBe("/tmp/a.db");
    expect(sqlitePath(".data/auth.db")).toBe(path.resolve(".data/auth.db"));
    expect(sqlitePath("file:x.db")).toBe(path.resolve("x.db"));
  });
});
