import { redirect } from "next/navigation";

import { AuthForm } from "@/components/auth/AuthForm";
import { currentUser } from "@/lib/auth/session";

export const metadata = { title: "Sign in · Todo Assistant" };

export default async function SignInPage() {
  if (await currentUser()) redirect("/");
  return <AuthForm mode="sign-in" />;
}
