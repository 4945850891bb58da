/**
 * Next's start-up hook: runs once per server process before it serves, in dev and production, with
 * `next start` and with the server entry (scripts/server.ts). Boots the web process
 * (src/server/web-process.ts). Next compiles this file into a module graph of its own, apart from
 * the route handlers' and the server components'; src/server/process-registry.ts says why that is safe.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { bootWebProcess } = await import("~/server/web-process");
  await bootWebProcess({ dev: process.env.NODE_ENV === "development" });
}
