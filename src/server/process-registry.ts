/**
 * The process registry: the one object KeyRelay keeps on globalThis.
 *
 * Why: one process can load src/server more than once, and module-level state would exist once per
 * copy. In the web process Next 16 (Turbopack) gives src/instrumentation.ts, the route handlers and
 * the server components each their own copy of every module, in `next dev` and in production builds
 * alike (three instances of one module in one process); the server entry (tsx) would be a fourth.
 * Two database pools, or two PGlite instances on one directory, are what that costs. So whatever must
 * exist once per process is kept here, where every copy finds the same object.
 *
 * What it holds, and nothing else:
 * - `root`: the resources the composition root builds (src/server/composition.ts): database,
 *   keyring, rate-limit store, exchange clients' state, job queue. Plain data and I/O objects that
 *   never throw an app error; the code that uses them is always the caller's own copy.
 * - `web`: in the web process, the webhook handler src/instrumentation.ts registers once the app is
 *   ready (migrations applied, in-process workers started), and the way to close the resources;
 *   the server entry serves webhooks with it, ahead of Next's routing.
 * - `webhookStrategies`: the webhook's one-second cache of strategies by token hash
 *   (src/server/signals/webhook-cache.ts), plain data, so a rotation in Next's copy evicts what the
 *   server entry's copy serves.
 * - `webhookWindows`: each strategy's alert count in the current minute (its rate limit), one
 *   count per process however many copies of the webhook code serve it.
 * - `mail`: the mail transport (an SMTP connection pool), one per process.
 *
 * No classes and no functions of one copy are meant to be called from another, except the two in
 * `web`, which catch everything they throw.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RootResources } from "~/server/composition";
import type { MailTransport } from "~/server/mail/mailer";
import type { WebhookCacheEntry } from "~/server/signals/webhook-cache";

export interface WebProcess {
  /** Answers a TradingView webhook POST; never throws (a failure is a 503 TradingView retries). */
  webhook(req: IncomingMessage, res: ServerResponse, input: { token: string; ip: string | null }): Promise<void>;
  /** Stops the in-process workers and closes the database; never throws. */
  close(): Promise<void>;
}

interface WebRegistration {
  /** Set when instrumentation's register() starts booting. */
  booting: boolean;
  /** Resolves once booted; rejects with the reason it could not (bad key, migration failure...). */
  ready: Promise<WebProcess>;
  resolve(web: WebProcess): void;
  reject(err: unknown): void;
}

export interface ProcessRegistry {
  root: RootResources;
  web: WebRegistration;
  webhookStrategies: Map<string, WebhookCacheEntry>;
  webhookWindows: Map<string, { start: number; count: number }>;
  mail?: { key: string; transport: MailTransport };
}

const KEY = Symbol.for("keyrelay.process-registry");

export function processRegistry(): ProcessRegistry {
  const g = globalThis as typeof globalThis & { [KEY]?: ProcessRegistry };
  return (g[KEY] ??= { root: {}, web: webRegistration(), webhookStrategies: new Map(), webhookWindows: new Map() });
}

function webRegistration(): WebRegistration {
  let resolve!: (web: WebProcess) => void;
  let reject!: (err: unknown) => void;
  const ready = new Promise<WebProcess>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A failed boot is reported by whoever awaits it (the server entry); without one it must not crash the process.
  ready.catch(() => undefined);
  return { booting: false, ready, resolve, reject };
}
