/**
 * The dev mailbox: with no SMTP server configured, outgoing mail is kept as JSON files under
 * DATA_DIR/mailbox (newest 200) and shown to admins on Admin -> Mailbox, so `npm run dev` needs
 * nothing else. Files, not log lines: a verification or reset link must never reach a log.
 */
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

export const DEV_MAILBOX_KEEP = 200;

export const devMailSchema = z.object({
  id: z.string(),
  at: z.coerce.date(),
  to: z.string(),
  subject: z.string(),
  kind: z.string(),
  text: z.string(),
});
export type DevMail = z.infer<typeof devMailSchema>;

export function devMailboxDir(dataDir: string): string {
  return path.resolve(dataDir, "mailbox");
}

export async function storeDevMail(dir: string, msg: { to: string; subject: string; kind: string; text: string }, now = new Date()): Promise<DevMail> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  // Sortable by name: time first, then randomness so two messages in one millisecond do not collide.
  const id = `${now.getTime().toString().padStart(15, "0")}-${crypto.randomBytes(4).toString("hex")}`;
  const mail: DevMail = { id, at: now, to: msg.to, subject: msg.subject, kind: msg.kind, text: msg.text };
  await fs.writeFile(path.join(dir, `${id}.json`), JSON.stringify(mail), { mode: 0o600 });
  await prune(dir);
  return mail;
}

async function mailFiles(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((f) => /^\d{15}-[0-9a-f]{8}\.json$/.test(f)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
}

async function prune(dir: string) {
  const files = await mailFiles(dir);
  for (const f of files.slice(0, Math.max(0, files.length - DEV_MAILBOX_KEEP))) await fs.rm(path.join(dir, f), { force: true });
}

/** The newest messages first. A file that is not a message (hand-edited, half-written) is skipped. */
export async function listDevMail(dir: string, limit = 50): Promise<DevMail[]> {
  const files = (await mailFiles(dir)).reverse().slice(0, limit);
  const out: DevMail[] = [];
  for (const f of files) {
    try {
      const parsed = devMailSchema.safeParse(JSON.parse(await fs.readFile(path.join(dir, f), "utf8")));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // unreadable or removed meanwhile: not a message
    }
  }
  return out;
}
