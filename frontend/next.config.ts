import type { NextConfig } from "next";

import { STATIC_SECURITY_HEADERS } from "./src/lib/server/security-headers";

const nextConfig: NextConfig = {
  // Native and driver packages stay outside the server bundle.
  serverExternalPackages: ["better-sqlite3", "pg"],
  poweredByHeader: false,
  // The same on every response; a page's CSP carries a per-request nonce and is set in src/proxy.ts.
  async headers() {
    return [{ source: "/:path*", headers: STATIC_SECURITY_HEADERS }];
  },
  turbopack: {
    root: __dirname,
    rules: {
      "*.css": {
        loaders: ["@tailwindcss/turbopack"],
        as: "*.css",
      },
    },
  },
};

export default nextConfig;
