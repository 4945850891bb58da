import { headers } from "next/headers";
import { isAdmin } from "~/server/auth/access";
import { requireAccount } from "~/trpc/server";
import { AppShell } from "./_components/app-shell";
import { SatisfactionPrompt } from "./_components/satisfaction-prompt";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const path = (await headers()).get("x-keyrelay-path") ?? "/dashboard";
  // Settings stays reachable to an account that must still set up 2FA (REQUIRE_2FA=all): it is where that happens.
  const user = await requireAccount(path, path.startsWith("/settings") ? "account" : "user");
  return (
    <AppShell user={{ name: user.name, email: user.email, isAdmin: isAdmin(user) }}>{children}<SatisfactionPrompt /></AppShell>
  );
}
