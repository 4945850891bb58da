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

// How many proxies in front of KeyRelay append to X-Forwarded-For: a count, or a yes/no kept from
// when it was a switch (true = 1). Off (0): the socket's address is the client.
const proxyHops = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const text = (v ?? "").trim().toLowerCase();
    if (text === "" || text === "false" || text === "no") return 0;
    if (text === "true" || text === "yes") return 1;
    if (/^\d{1,2}$/.test(text) && Number(text) <= 10) return Number(text);
    ctx.addIssue({ code: "custom", message: "must be the number of your proxies in front of KeyRelay, 0 to 10 (1 for one reverse proxy; true means 1)" });
    return z.NEVER;
  });

/** A whole number in [min, max]; every failure says the same thing: what the value must be. */
const intIn = (min: number, max: number, what: string) => {
  const error = `must be a whole number of ${what} from ${min} to ${max}`;
  return z.coerce.number({ error }).int(error).min(min, error).max(max, error);
};

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3333),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL (leave it unset to use the embedded database)")
    .optional(),
  DATABASE_POOL_SIZE: intIn(1, 1000, "connections").default(10),
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
  TRUST_PROXY: proxyHops,
  // The whole request (headers and body) must arrive within this; a slow sender is cut with a 408.
  HTTP_REQUEST_TIMEOUT_MS: intIn(1_000, 600_000, "milliseconds").default(30_000),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === "string" ? v.trim().toLowerCase() : v),
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { error: "must be one of fatal, error, warn, info, debug, trace, silent" }).default("info"),
  ),
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
  // The audit log's seals are HMAC-SHA256 under this key, which the database never holds (see
  // server/audit/audit-key.ts). Required in production; dev generates one into DATA_DIR/audit.key.
  AUDIT_HMAC_KEY: z.string().trim().regex(hex64, "must be 64 hex characters (make one with `openssl rand -hex 32`)").optional(),
  AUDIT_HMAC_KEYS_OLD: z
    .string()
    .optional()
    .refine((v) => !v || v.split(",").every((k) => !k.trim() || hex64.test(k.trim())), "must be a comma-separated list of 64-hex-character keys (retired audit keys)"),
  // The owner role that runs migrations, when the app's DATABASE_URL is a role without DDL rights
  // (and without UPDATE/DELETE on the audit log): `npm run db:migrate` and `npm run db:roles` use it.
  MIGRATION_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL of the role that owns the schema (leave it unset to migrate with DATABASE_URL)")
    .optional(),
  EXCHANGE_SIMULATOR_URL: z.string().url("must be the simulator's base URL, e.g. http://127.0.0.1:4010").optional(),
  DECISION_MODEL_URL: z.string().url("must be an OpenAI-compatible chat-completions URL, e.g. http://127.0.0.1:8000/v1/chat/completions").optional(),
  DECISION_MODEL_API_KEY: z.string().optional(),
  DECISION_MODEL_NAME: z.string().optional(),
  DECISION_MODEL_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(800),
  DECISION_MODEL_FAIL_MODE: z.enum(["open", "closed"], { error: "must be open (approve when the model fails) or closed (veto)" }).default("open"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(32),
  WORKER_IN_PROCESS: bool,
  WORKER_HEALTH_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  WORKER_LEASE_SECONDS: intIn(1, 3600, "seconds").default(15),
  EXECUTION_LEASE_MS: intIn(100, 3_600_000, "milliseconds").default(30_000),
  // The drift check after a fan-out waits this long (fills settle; the next alerts of a burst go first).
  DRIFT_CHECK_DELAY_MS: intIn(0, 3_600_000, "milliseconds").default(10_000),
  // How often the protection watch checks that every protected position's stop-loss is on the exchange.
  PROTECTION_WATCH_MS: intIn(1_000, 3_600_000, "milliseconds").default(60_000),
  // How long a lower tier's order may wait, in one worker, for a better tier's orders of the same signal to be written
  // (engine/write-gate.ts; an order its key's rate limit holds back does not hold the others); 0 turns tier order at the wire off.
  TIER_ORDER_WAIT_MS: intIn(0, 10_000, "milliseconds").default(2_000),
  // How often every ACTIVE exchange key is verified again (expiry warnings at 14, 3 and 1 days; dead keys disabled). Default 6 hours.
  KEY_HEALTH_INTERVAL_MS: intIn(60_000, 604_800_000, "milliseconds").default(21_600_000),
  // How long the exchange accepts a signed request after signing it (Binance recvWindow, Bybit recv_window).
  // An order whose create got no answer is re-sent only after this has passed and a look-up finds nothing.
  EXCHANGE_RECV_WINDOW_MS: intIn(500, 60_000, "milliseconds").default(5_000),
  // Keep-alive connections a process opens to one exchange (per API host): a fan-out's requests beyond this wait for a
  // free connection, in order, instead of each opening its own (and its own TLS handshake) at the same moment.
  EXCHANGE_MAX_CONNECTIONS: intIn(1, 10_000, "connections").default(256),
  // Orders a worker process has between the start of their send and its answer, across its batches: later batches
  // start when earlier ones' orders are answered, instead of signing requests that would only queue for a connection.
  EXCHANGE_MAX_IN_FLIGHT: intIn(1, 100_000, "orders").default(512),
  // Every webhook delivery (accepted or refused) is kept this many days for Admin -> Strategies' delivery log.
  WEBHOOK_LOG_RETENTION_DAYS: intIn(1, 365, "days").default(14),
  // Paper fills pay this fee (percent of the order's value, in the quote currency), so paper PnL is comparable to live.
  PAPER_FEE_PCT: z
    .string()
    .regex(/^\d{1,2}(\.\d{1,6})?$/, "must be a percentage such as 0.1 (Binance and Bybit spot taker fees are 0.1 %)")
    .default("0.1"),
  EGRESS_IPS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  // Refuse exchange keys the exchange reports as usable from any IP (REJECTED at verification).
  REQUIRE_KEY_IP_RESTRICTION: z
    .enum(["1", "0", "true", "false", "yes", "no", ""], { error: "must be true or false (true refuses exchange keys without an IP restriction)" })
    .optional()
    .transform((v) => v === "1" || v === "true" || v === "yes"),
  // Email (verification, password reset, security notices). SMTP_URL, or SMTP_HOST (+ port, user,
  // password); with neither, mail goes to the dev mailbox (DATA_DIR/mailbox, Admin -> Mailbox).
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL, e.g. smtps://user:password@smtp.example.com:465").optional(),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: intIn(1, 65535, "port").default(587),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  // TLS from the first byte (port 465); otherwise STARTTLS when the server offers it.
  SMTP_SECURE: bool,
  MAIL_FROM: z.string().min(3, "must be a sender address, e.g. KeyRelay <no-reply@example.com>").default("KeyRelay <no-reply@localhost>"),
  // Notifications: the Telegram bot API (tests point it at a local fake server), and whether outgoing
  // webhooks may target loopback/private addresses (refused in production unless set: SSRF).
  TELEGRAM_API_BASE: z.string().url("must be the Telegram bot API's base URL, e.g. https://api.telegram.org").default("https://api.telegram.org"),
  NOTIFY_ALLOW_PRIVATE_TARGETS: bool,
  // Who must use two-factor authentication: admins (always) or everyone.
  REQUIRE_2FA: z.enum(["admins", "all"], { error: "must be admins (the default) or all" }).default("admins"),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {}

function invalid(issues: { path: PropertyKey[]; message: string }[]): EnvError {
  const lines = issues.map((i) => `  - ${i.path.map(String).join(".")}: ${i.message}`);
  return new EnvError(`Invalid environment configuration:\n${lines.join("\n")}\nFix these variables (see .env.example) and start again.`);
}

/** Parses an env-like object; throws EnvError listing every bad variable and how to fix it. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // Treat empty strings as unset: `FOO=` in a .env file means "not configured".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) throw invalid(result.error.issues);
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

/**
 * One variable, checked by its own entry in the schema and read now, uncached. For values a module
 * fixes when it loads (the process logger's level, lease lengths): modules load before a script or
 * test has finished setting its environment, and during `next build`, where getEnv() would either
 * cache too early or refuse the whole environment over a variable this value does not need.
 */
export function envVar<K extends keyof Env>(name: K, source: Record<string, string | undefined> = process.env): Env[K] {
  const raw = source[name];
  const result = envSchema.shape[name].safeParse(raw === "" ? undefined : raw);
  if (!result.success) throw invalid(result.error.issues.map((i) => ({ ...i, path: [name, ...i.path] })));
  return result.data as Env[K];
}
