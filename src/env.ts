/**
 * Every environment variable KeyRelay reads, validated once with zod (t3-env style).
 * Imports nothing from src/ so scripts, the server entry and Next code can all use it.
 * A missing or invalid variable stops the process with a message naming it and the fix.
 */
import { z } from "zod";

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .optional()
  .transform((v) => v === "1" || v === "true" || v === "yes");

const hex64 = /^[0-9a-fA-F]{64}$/;

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3333),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL (leave it unset to use the embedded database)")
    .optional(),
  DATA_DIR: z.string().min(1).default(".data"),
  NEXTAUTH_SECRET: z.string().min(32, "must be at least 32 characters (make one with `openssl rand -hex 32`)").optional(),
  NEXTAUTH_URL: z.string().url("must be the public URL of the app, e.g. http://localhost:3333").optional(),
  ADMIN_EMAILS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    ),
  TRUST_PROXY: bool,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ENCRYPTION_KEY: z.string().regex(hex64, "must be 64 hex characters (make one with `openssl rand -hex 32`)").optional(),
  ENCRYPTION_KEYS_OLD: z
    .string()
    .optional()
    .refine(
      (v) => !v || v.split(",").every((k) => hex64.test(k.trim())),
      "must be a comma-separated list of 64-hex-character keys",
    ),
  ENCRYPTION_PASSPHRASE: z.string().min(16, "must be at least 16 characters").optional(),
  ENCRYPTION_SALT: z.string().min(16, "must be at least 16 characters (make one with `openssl rand -hex 16`)").optional(),
  EXCHANGE_SIMULATOR_URL: z.string().url("must be the simulator's base URL, e.g. http://127.0.0.1:4010").optional(),
  DECISION_MODEL_URL: z.string().url("must be an OpenAI-compatible chat-completions URL, e.g. http://127.0.0.1:8000/v1/chat/completions").optional(),
  DECISION_MODEL_API_KEY: z.string().optional(),
  DECISION_MODEL_NAME: z.string().optional(),
  DECISION_MODEL_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(800),
  DECISION_MODEL_FAIL_MODE: z.enum(["open", "closed"], { error: "must be open (approve when the model fails) or closed (veto)" }).default("open"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(32),
  WORKER_IN_PROCESS: bool,
  WORKER_HEALTH_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  EGRESS_IPS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {}

/** Parses an env-like object; throws EnvError listing every bad variable and how to fix it. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // Treat empty strings as unset: `FOO=` in a .env file means "not configured".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(
      `Invalid environment configuration:\n${lines.join("\n")}\nFix these variables (see .env.example) and start again.`,
    );
  }
  const env = result.data;
  if (env.NODE_ENV === "production" && !env.NEXTAUTH_SECRET) {
    throw new EnvError(
      "Invalid environment configuration:\n  - NEXTAUTH_SECRET: required in production (make one with `openssl rand -hex 32`)",
    );
  }
  if (Boolean(env.ENCRYPTION_PASSPHRASE) !== Boolean(env.ENCRYPTION_SALT)) {
    throw new EnvError(
      "Invalid environment configuration:\n  - ENCRYPTION_PASSPHRASE / ENCRYPTION_SALT: set both or neither",
    );
  }
  return env;
}

let cached: Env | undefined;
/** The validated process environment (parsed on first use, then cached). */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
