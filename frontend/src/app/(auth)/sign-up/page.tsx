import { redirect } from "next/navigation";

import { AuthForm } from "@/components/auth/AuthForm";
import { currentUser } from "@/lib/auth/session";

export const metadata = { title: "Sign up · Todo Assistant" };

export default async function SignUpPage() {
  if (await currentUser()) redirect("/");
  return <AuthForm mode="sign-up" />;
}
