import { buildOpenApiDocument } from "~/server/api/rest/openapi";

export const dynamic = "force-static";

export function GET() {
  return Response.json(buildOpenApiDocument());
}
