import { redirect } from "next/navigation";

import { ChatWorkspace } from "@/components/ChatWorkspace";
import { currentUser } from "@/lib/auth/session";
import { chatKitDomainKey } from "@/lib/server/env";

const THREAD_ID = /^[A-Za-z0-9_-]{1,64}$/;

export default async function HomePage({ searchParams }: PageProps<"/">) {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  const { c } = await searchParams;
  const threadId = typeof c === "string" && THREAD_ID.test(c) ? c : null;
  return <ChatWorkspace userEmail={user.email} initialThreadId={threadId} chatKitDomainKey={chatKitDomainKey()} />;
}
