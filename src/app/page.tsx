import { redirect } from "next/navigation";
import { getSession } from "~/server/auth/next-auth";

export default async function Home() {
  const session = await getSession();
  redirect(session ? "/dashboard" : "/sign-in");
}
