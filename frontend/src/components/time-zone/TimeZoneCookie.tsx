"use client";

import { useEffect } from "react";

import { TIME_ZONE_COOKIE, browserTimeZone } from "@/lib/time-zone";

const ONE_YEAR_SECONDS = 365 * 24 * 3600;

/** Keeps the `tz` cookie equal to the browser's zone, so every relayed request carries it. */
export function TimeZoneCookie() {
  useEffect(() => {
    const zone = encodeURIComponent(browserTimeZone());
    document.cookie = `${TIME_ZONE_COOKIE}=${zone}; Path=/; Max-Age=${ONE_YEAR_SECONDS}; SameSite=Lax`;
  }, []);
  return null;
}
