/**
 * Outgoing email. SMTP (nodemailer) when SMTP_URL or SMTP_HOST is set. Without it:
 * - development: the dev mailbox (files under DATA_DIR/mailbox, shown to admins on Admin -> Mailbox);
 * - production: nothing is sent or kept (a warning per message): a production server needs SMTP
 *   for sign-up and password resets, and an admin must not be able to read users' reset links;
 * - NODE_ENV=test: an in-memory sink (tests that read mail start a real SMTP server:
 *   src/server/test/smtp-capture.ts).
 *
 * deliver() never blocks or fails the request that sends: a slow or broken mail server must not
 * change an answer (sign-up says the same thing either way) or its timing. Failures are logged with
 * the kind of message and the recipient, never its body: bodies hold single-use links.
 */
import nodemailer from "nodemailer";
import { envVar } from "~/env";
import { devMailboxDir, storeDevMail } from "~/server/mail/dev-mailbox";
import { logger } from "~/server/logger";
import { processRegistry } from "~/server/process-registry";

export type MailKind = "verify_email" | "account_exists" | "reset_password" | "security_notice" | "notification";

export interface MailMessage {
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  readonly name: "smtp" | "dev-mailbox" | "memory" | "none";
  send(msg: MailMessage): Promise<void>;
}

type SmtpSettings = string | { host: string; port: number; secure: boolean; auth?: { user: string; pass: string } };

/** SMTP settings from the environment, or null when none are configured. */
export function smtpSettings(source: Record<string, string | undefined> = process.env): SmtpSettings | null {
  const url = envVar("SMTP_URL", source);
  if (url) return url;
  const host = envVar("SMTP_HOST", source);
  if (!host) return null;
  const port = envVar("SMTP_PORT", source);
  const user = envVar("SMTP_USER", source);
  return {
    host,
    port,
    secure: envVar("SMTP_SECURE", source) || port === 465,
    ...(user ? { auth: { user, pass: envVar("SMTP_PASSWORD", source) ?? "" } } : {}),
  };
}

function smtpTransport(settings: SmtpSettings, from: string): MailTransport {
  const transporter = nodemailer.createTransport(settings as never);
  return {
    name: "smtp",
    async send(msg) {
      await transporter.sendMail({ from, to: msg.to, subject: msg.subject, text: msg.text, html: msg.html });
    },
  };
}

function devMailboxTransport(dir: string): MailTransport {
  return {
    name: "dev-mailbox",
    async send(msg) {
      await storeDevMail(dir, msg);
      logger.info({ to: msg.to, kind: msg.kind, subject: msg.subject }, "email kept in the dev mailbox (Admin -> Mailbox)");
    },
  };
}

function noTransport(): MailTransport {
  return {
    name: "none",
    async send(msg) {
      logger.warn({ to: msg.to, kind: msg.kind }, "email not sent: no SMTP server is configured (set SMTP_URL or SMTP_HOST)");
    },
  };
}

const MEMORY_KEEP = 100;
function memoryTransport(): MailTransport & { messages: MailMessage[] } {
  const messages: MailMessage[] = [];
  return {
    name: "memory",
    messages,
    async send(msg) {
      messages.push(msg);
      if (messages.length > MEMORY_KEEP) messages.shift();
    },
  };
}

/** The transport for the current environment; rebuilt when the mail settings change (tests). */
export function getMailTransport(): MailTransport {
  const smtp = smtpSettings();
  const from = envVar("MAIL_FROM");
  const dir = devMailboxDir(envVar("DATA_DIR"));
  const nodeEnv = process.env.NODE_ENV;
  const mode = smtp ? "smtp" : nodeEnv === "test" ? "memory" : nodeEnv === "production" ? "none" : "dev-mailbox";
  const key = JSON.stringify([mode, smtp, from, dir]);
  const registry = processRegistry(); // one transport (SMTP pool) per process, whichever copy of this module asks
  if (registry.mail?.key !== key) {
    const transport =
      mode === "smtp" ? smtpTransport(smtp!, from) : mode === "memory" ? memoryTransport() : mode === "none" ? noTransport() : devMailboxTransport(dir);
    registry.mail = { key, transport };
  }
  return registry.mail.transport;
}

/** Whether mail goes to the dev mailbox (Admin -> Mailbox shows it). */
export function usesDevMailbox(): boolean {
  return getMailTransport().name === "dev-mailbox";
}

const pending = new Set<Promise<void>>();

/**
 * Sends in the background. `build` may read the database (the recipient's address); it returns
 * null when there is nothing to send (account gone). Errors are logged, never thrown.
 */
export function deliver(build: MailMessage | (() => Promise<MailMessage | null>)): void {
  let kind: string | undefined;
  const task = (async () => {
    const msg = typeof build === "function" ? await build() : build;
    if (!msg) return;
    kind = msg.kind;
    await getMailTransport().send(msg);
  })().catch((err: unknown) => {
    const e = err as { message?: string; code?: string; responseCode?: number };
    // Only what helps an operator: the message text of an SMTP error names the failing step.
    logger.error({ kind, error: { message: e.message, code: e.code, responseCode: e.responseCode } }, "email not sent");
  });
  pending.add(task);
  void task.finally(() => pending.delete(task));
}

/** Waits for every message handed to deliver() so far (tests, and a clean shutdown). */
export async function flushMail(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}
