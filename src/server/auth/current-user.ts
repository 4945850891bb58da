/** The signed-in user for server components: redirects to sign-in when there is none. */
import { redirect } from "next/navigation";
import { getSession } from "~/server/auth/next-auth";
import { getDb } from "~/server/db";

export async function requireUser(callbackPath: string) {
  const session = await getSession();
  const user = session?.user?.id
    ? await getDb().user.findUnique({
        where: { id: session.user.id },
        select: { id: true, email: true, name: true, role: true, tier: true, disabledAt: true },
      })
    : null;
  if (!user || user.disabledAt) redirect(`/sign-in?callbackUrl=${encodeURIComponent(callbackPath)}`);
  return user;
}
