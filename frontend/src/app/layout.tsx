import type { Metadata, Viewport } from "next";
import { GeistMono } from "geist/font/mono";
import { GeistSans } from "geist/font/sans";

import { TimeZoneCookie } from "@/components/time-zone/TimeZoneCookie";

import "./globals.css";

export const metadata: Metadata = {
  title: "Todo Assistant",
  description: "Manage your tasks by chatting with an assistant that remembers every conversation.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: LayoutProps<"/">) {
  return (
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable} h-full antialiased`}>
      <body className="h-full bg-background text-foreground">
        <TimeZoneCookie />
        {children}
      </body>
    </html>
  );
}
