export const dynamic = "force-dynamic";

/** Liveness: the web process answers (no dependency checks; use /api/health for readiness). */
export function GET() {
  return Response.json({ status: "ok" });
}
