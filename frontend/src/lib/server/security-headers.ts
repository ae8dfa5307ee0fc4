// The headers that tell the browser what a page may load and who may frame it. Pages get a fresh
// script nonce per request (src/proxy.ts); Next.js puts it on its own scripts, so no inline script
// without it runs. Styles allow 'unsafe-inline': React renders `style` attributes, which a nonce
// cannot cover, and a style cannot run code.

/** Where OpenAI's ChatKit web component comes from; allowed only when a domain key is set. */
export const CHATKIT_ORIGIN = "https://cdn.platform.openai.com";

/** For every response, pages and API alike (set in next.config.ts). */
export const STATIC_SECURITY_HEADERS: { key: string; value: string }[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
];

export type PagePolicy = {
  nonce: string;
  /** A ChatKit domain key is configured, so the official component may be loaded. */
  chatKit: boolean;
  /** APP_ENV=production: served over HTTPS only. */
  production: boolean;
  /** `next dev`: React's dev tooling needs eval. */
  development: boolean;
};

export function contentSecurityPolicy({ nonce, chatKit, production, development }: PagePolicy): string {
  const chatKitSources = chatKit ? [CHATKIT_ORIGIN] : [];
  const directives: [string, string[]][] = [
    ["default-src", ["'self'"]],
    ["script-src", ["'self'", `'nonce-${nonce}'`, ...(development ? ["'unsafe-eval'"] : []), ...chatKitSources]],
    ["style-src", ["'self'", "'unsafe-inline'"]],
    ["img-src", ["'self'", "data:", "blob:"]],
    ["font-src", ["'self'"]],
    ["connect-src", ["'self'", ...chatKitSources]],
    ["frame-src", chatKit ? chatKitSources : ["'none'"]],
    ["object-src", ["'none'"]],
    ["base-uri", ["'self'"]],
    ["form-action", ["'self'"]],
    ["frame-ancestors", ["'none'"]],
  ];
  if (production) directives.push(["upgrade-insecure-requests", []]);
  return directives.map(([name, sources]) => [name, ...sources].join(" ")).join("; ");
}

/** The per-request headers of a page: its CSP, and HSTS in production. */
export function pageSecurityHeaders(policy: PagePolicy): Record<string, string> {
  const headers: Record<string, string> = { "Content-Security-Policy": contentSecurityPolicy(policy) };
  if (policy.production) headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains";
  return headers;
}
