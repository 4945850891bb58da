import { pino, type Bindings, type ChildLoggerOptions, type DestinationStream, type LevelWithSilent, type Logger } from "pino";

import { envVar } from "~/env";
import { AppError } from "~/server/errors";
import { prettyLine } from "~/server/log-pretty";
import { SEALED_PATTERN } from "~/server/vault/secret-box";

// The one logger. Everything logged passes through redactForLog: values under secret-looking keys
// (any depth, any case, '-'/'_' ignored) become [REDACTED] and sealed blobs inside any string become
// [SEALED]. A last pass over each finished line masks sealed blobs in messages too.
//
// Tests: captureLogs() (or setLogDestination(stream)) redirects the process logger and every child of
// it, synchronously. Under NODE_ENV=test the process logger writes nowhere unless captured.
// LOG_LEVEL sets the level (default info).

export const REDACTED = "[REDACTED]";
export const SEALED = "[SEALED]";

// Compared after lowercasing and dropping '-' and '_', so "Set-Cookie", "api_secret" and "ENCRYPTION_KEY" match.
// apiKey is here too: alone it cannot trade, but it identifies the account; log maskApiKey(key) as keyHint.
const SECRET_KEYS = new Set([
  "secret", "apisecret", "password", "passphrase", "token", "accesstoken", "refreshtoken", "idtoken",
  "authorization", "proxyauthorization", "cookie", "setcookie", "sealedsecret", "encryptionkey",
  "encryptionkeysold", "privatekey", "apikey", "xapikey", "xmbxapikey", "signature",
]);
// Catches the names nobody listed: webhookSecret, csrfToken, dbPassword, ENCRYPTION_PASSPHRASE...
const SECRET_SUFFIXES = ["secret", "token", "password", "passphrase"];
const MAX_DEPTH = 10;
const SEALED_ANYWHERE = new RegExp(SEALED_PATTERN.source, "g");

export function isSecretKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[-_]/g, "");
  return SECRET_KEYS.has(normalized) || SECRET_SUFFIXES.some((suffix) => normalized.endsWith(suffix));
}

export function maskSealed(text: string): string {
  return text.replace(SEALED_ANYWHERE, SEALED);
}

/** A copy safe to log or store in an audit row. Errors become plain {type, message, stack, ...} objects. */
export function redactForLog(value: unknown): unknown {
  return redact(value, 0, new Set());
}

function redact(value: unknown, depth: number, path: Set<object>): unknown {
  if (typeof value === "string") return maskSealed(value);
  if (typeof value !== "object" || value === null) return value;
  if (path.has(value)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Too deep]";
  // Raw bytes are most likely key material or a decrypted payload; their size is all a log needs.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[Binary ${value.byteLength} bytes]`;
  path.add(value);
  try {
    if (value instanceof Error) return redactError(value, depth, path);
    const withToJson = value as { toJSON?: unknown };
    if (typeof withToJson.toJSON === "function") {
      const json: unknown = withToJson.toJSON();
      return json === value ? redactObject(value, depth, path) : redact(json, depth, path);
    }
    if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, path));
    return redactObject(value, depth, path);
  } finally {
    path.delete(value);
  }
}

function redactObject(value: object, depth: number, path: Set<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // null/undefined stay visible: "the token was missing" is useful and reveals nothing.
    out[key] = isSecretKey(key) && item !== null && item !== undefined ? REDACTED : redact(item, depth + 1, path);
  }
  return out;
}

function redactError(error: Error, depth: number, path: Set<object>): Record<string, unknown> {
  return {
    type: error.constructor?.name ?? error.name,
    message: maskSealed(error.message),
    ...(error.stack === undefined ? {} : { stack: maskSealed(error.stack) }),
    ...redactObject(error, depth, path),
    ...(error.cause === undefined ? {} : { cause: redact(error.cause, depth + 1, path) }),
  };
}

// --- destinations ---------------------------------------------------------------------------------

const discard: DestinationStream = { write: () => undefined };
let stdout: DestinationStream | undefined;
let processDestination: DestinationStream | undefined;

function defaultDestination(): DestinationStream {
  if (process.env.NODE_ENV === "test") return discard;
  stdout ??= devReadable(pino.destination({ dest: 1, sync: true }));
  return stdout;
}

// `npm run dev`: readable lines (log-pretty.ts formats the already-redacted JSON). Production: JSON lines.
function devReadable(out: DestinationStream): DestinationStream {
  if (process.env.NODE_ENV !== "development") return out;
  const color = Boolean(process.stdout.isTTY);
  return { write: (line: string) => out.write(prettyLine(line, { color })) };
}

// Loggers hold on to their stream, so the process logger writes through this and tests swap its target.
const forwarding: DestinationStream = {
  write: (line: string) => (processDestination ?? defaultDestination()).write(line),
};

/** Sends the process logger (and its children) to `stream`; returns a function restoring the previous one. */
export function setLogDestination(stream: DestinationStream | undefined): () => void {
  const previous = processDestination;
  processDestination = stream;
  return () => {
    processDestination = previous;
  };
}

export type LogCapture = {
  lines(): string[];
  text(): string;
  records(): Record<string, unknown>[];
  restore(): void;
};

/** Captures everything the process logger writes until restore(). */
export function captureLogs(): LogCapture {
  const lines: string[] = [];
  const restore = setLogDestination({ write: (line: string) => void lines.push(line) });
  return {
    lines: () => [...lines],
    text: () => lines.join(""),
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    restore,
  };
}

// --- loggers --------------------------------------------------------------------------------------

export function levelFromEnv(value: string | undefined): LevelWithSilent {
  const level = value?.trim().toLowerCase() || "info";
  if (level === "silent" || Object.hasOwn(pino.levels.values, level)) return level as LevelWithSilent;
  throw new AppError("CONFIG", `LOG_LEVEL must be one of ${[...Object.keys(pino.levels.values), "silent"].join(", ")}.`, {
    field: "LOG_LEVEL",
  });
}

/** A logger with the redaction rules. Without a destination it writes where the process logger writes. */
export function createLogger(destination: DestinationStream = forwarding, options: { level?: LevelWithSilent } = {}): Logger {
  const instance = pino(
    {
      level: options.level ?? envVar("LOG_LEVEL"),
      // Errors are already serialized by redactForLog; pino's own serializer would rename their type.
      serializers: { err: (error: unknown) => error },
      formatters: { log: (object) => redactForLog(object) as Record<string, unknown> },
      hooks: {
        // Values interpolated into the message (logger.info("got %j", body)) skip formatters.log.
        logMethod(args, method) {
          const [first, ...rest] = args;
          return method.apply(this, [first, ...rest.map(redactForLog)] as Parameters<typeof method>);
        },
        // Last line of defence for sealed blobs in messages (logger.info(`saved ${sealed}`)).
        streamWrite: maskSealed,
      },
    },
    destination,
  );
  // pino runs formatters.bindings on the base bindings only, never on child() bindings, so redact
  // those here. Children are Object.create(parent), so grandchildren inherit these overrides.
  const pinoChild = instance.child;
  const pinoSetBindings = instance.setBindings;
  instance.child = function child<L extends string = never>(this: Logger, bindings: Bindings, childOptions?: ChildLoggerOptions<L>) {
    return Reflect.apply(pinoChild, this, [redactForLog(bindings), childOptions]) as Logger<L>;
  };
  instance.setBindings = function setBindings(this: Logger, bindings: Bindings) {
    Reflect.apply(pinoSetBindings, this, [redactForLog(bindings)]);
  };
  return instance;
}

export const logger: Logger = createLogger();
