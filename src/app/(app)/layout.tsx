import { headers } from "next/headers";
import { isAdmin } from "~/server/auth/access";
import { api, requireAccount } from "~/trpc/server";
import { AppShell } from "./_components/app-shell";
import { SatisfactionPrompt } from "./_components/satisfaction-prompt";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const path = (await headers()).get("x-keyrelay-path") ?? "/dashboard";
  // Settings stays reachable to an account that must still set up 2FA (REQUIRE_2FA=all): it is where that happens.
  const user = await requireAccount(path, path.startsWith("/settings") ? "account" : "user");
  // The operator's halts of live trading, shown on every page (an account still setting up 2FA gets none).
  const halts = await api.halts.banner().catch(() => []);
  return (
    <AppShell user={{ name: user.name, email: user.email, isAdmin: isAdmin(user) }} halts={halts}>{children}<SatisfactionPrompt /></AppShell>
  );
}
