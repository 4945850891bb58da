import { headers } from "next/headers";
import { requireUser } from "~/server/auth/current-user";
import { AppShell } from "./_components/app-shell";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const path = (await headers()).get("x-keyrelay-path") ?? "/dashboard";
  const user = await requireUser(path);
  return (
    <AppShell user={{ name: user.name, email: user.email, isAdmin: user.role === "ADMIN" }}>{children}</AppShell>
  );
}
