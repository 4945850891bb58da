/**
 * The OpenAPI 3.1 document of the REST surface, generated (zod-openapi) from the very schemas
 * the tRPC procedures validate with, and the route table the REST handler dispatches on.
 */
import { createDocument, type ZodOpenApiPathsObject } from "zod-openapi";
import { z } from "zod";
import {
  allStatusOutput,
  deleteOutput,
  exchangeStatusOutput,
  keySelector,
  saveKeyInput,
  tradingModeOutput,
} from "~/server/api/routers/keys";
import { REST_ROUTES } from "~/server/api/rest/user-api-keys";
import { MAX_BODY_BYTES } from "~/server/http/body-limit";
import { credentialView, verificationView } from "~/server/keys/key-service";

const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      fieldErrors: z.record(z.string(), z.string()).nullable(),
      help: z.string().optional().meta({ description: "Path of the error's troubleshooting entry on this server (cause, fix, where to look)", example: "/help/troubleshooting#api-bad-input" }),
    }),
  })
  .meta({ id: "Error" });

const exchangePath = z.object({
  exchange: z.string().meta({ description: "binance or bybit (case-insensitive)", example: "bybit" }),
});
const environmentQuery = z.object({
  environment: z.enum(["LIVE", "TESTNET", "DEMO"]).optional().meta({ description: "Which key, when you have several for this exchange" }),
});

const bodies: Record<string, z.ZodType | undefined> = {
  "keys.save": saveKeyInput.omit({ exchange: true }),
  "keys.verify": keySelector.omit({ exchange: true }),
  "keys.setTradingMode": z.object({ mode: z.enum(["PERSONAL", "PAPER", "OFF"]) }),
};
const outputs: Record<string, z.ZodType> = {
  "keys.save": z.object({ credential: credentialView, verification: verificationView }),
  "keys.verify": z.object({ credential: credentialView, verification: verificationView }),
  "keys.status": exchangeStatusOutput,
  "keys.delete": deleteOutput,
  "keys.allStatus": allStatusOutput,
  "keys.setTradingMode": tradingModeOutput,
};

const errorResponses = {
  "400": { description: "Invalid input: fieldErrors names each field and the fix", content: { "application/json": { schema: errorSchema } } },
  "401": { description: "Missing, malformed, expired or revoked token", content: { "application/json": { schema: errorSchema } } },
  "404": { description: "No such key (also for other users' keys)", content: { "application/json": { schema: errorSchema } } },
  "409": { description: "Conflict (e.g. PERSONAL mode without an ACTIVE key)", content: { "application/json": { schema: errorSchema } } },
  "413": { description: `Body larger than ${MAX_BODY_BYTES / 1024} KB`, content: { "application/json": { schema: errorSchema } } },
  "429": { description: "Rate limited; see Retry-After", content: { "application/json": { schema: errorSchema } } },
};

const liveRefused = {
  description: "PERSONAL refused: live trading is not open to your account yet; the message says who it is open to and how to ask for access",
  content: { "application/json": { schema: errorSchema } },
};

export function buildOpenApiDocument(serverUrl = "/") {
  const paths: ZodOpenApiPathsObject = {};
  for (const r of REST_ROUTES) {
    const path = `/api/user-api-keys${r.path}`;
    const hasExchange = r.path.includes("{exchange}");
    const body = bodies[r.procedure];
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[r.method.toLowerCase()] = {
      operationId: `${r.procedure.replace(".", "_")}_${r.method.toLowerCase()}`,
      summary: r.summary,
      tags: ["user-api-keys"],
      requestParams: {
        ...(hasExchange ? { path: exchangePath } : {}),
        ...(r.procedure === "keys.delete" || r.procedure === "keys.verify" ? { query: environmentQuery } : {}),
      },
      ...(body ? { requestBody: { required: r.procedure !== "keys.verify", content: { "application/json": { schema: body } } } } : {}),
      responses: {
        "200": { description: "OK", content: { "application/json": { schema: outputs[r.procedure]! } } },
        ...errorResponses,
        ...(r.procedure === "keys.setTradingMode" ? { "403": liveRefused } : {}),
      },
    };
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "KeyRelay user API keys",
      version: "1.0.0",
      description: "Connect and manage your own exchange API keys. Authenticate with `Authorization: Bearer <token>` (create tokens in Settings) or a browser session.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    paths,
  });
}
