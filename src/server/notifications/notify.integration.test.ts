import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGraphileWorker, addJobsSql, type WorkerHandle } from "~/server/jobs/graphile-queue";
import type { JobSink } from "~/server/jobs/job-sink";
import type { TaskList } from "~/server/jobs/job-types";
import { getMailTransport } from "~/server/mail/mailer";
import { addChannel, listChannels, updateChannel } from "~/server/notifications/channels";
import { deliverNotification, type DeliverDeps } from "~/server/notifications/deliver";
import { notify, withNotifications } from "~/server/notifications/notify";
import { verifySignature } from "~/server/notifications/webhook-signing";
import { startFakeTelegram, type FakeTelegram } from "~/server/test/fake-telegram";
import { startSmtpCapture, type SmtpCapture } from "~/server/test/smtp-capture";
import { createTestDatabase, type TestDatabase } from "~/server/test/test-db";
import { createKeyring } from "~/server/vault/keyring";

let t: TestDatabase;
let smtp: SmtpCapture;
let tg: FakeTelegram;
let worker: WorkerHandle;
const keyring = createKeyring({ primary: crypto.randomBytes(32) });
const botToken = "123456789:AAE_integration_test_token_abcdefgh";
const jobs: JobSink = { addInTx: (tx, specs) => addJobsSql(tx, specs), afterCommit: () => undefined };
let deps: DeliverDeps;

/** A receiver that answers 500 to the first `failFirst` POSTs, then 204; it keeps what it got. */
async function receiver(failFirst: number) {
  const got: { body: string; signature: string; status: number }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const status = got.length < failFirst ? 500 : 204;
      got.push({ body, signature: String(req.headers["x-keyrelay-signature"] ?? ""), status });
      res.writeHead(status).end(status === 500 ? "temporarily broken" : undefined);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, close: () => new Promise((r) => server.close(r)) };
}

beforeAll(async () => {
  [t, smtp, tg] = await Promise.all([createTestDatabase(), startSmtpCapture(), startFakeTelegram()]);
  process.env.SMTP_URL = smtp.url;
  deps = { db: t.database.prisma, keyring, mail: getMailTransport, telegramBase: tg.url, allowPrivate: true, timeoutMs: 5_000 };
  const tasks = { deliver_notification: async (p: Record<string, unknown>) => void (await deliverNotification(deps, String(p.deliveryId))) } as unknown as TaskList;
  worker = await startGraphileWorker({ connectionString: t.url, tasks, concurrency: 4, pollInterval: 200 });
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await Promise.all([smtp.close(), tg.close()]);
  await t.drop();
});

let n = 0;
async function user() {
  return t.database.prisma.user.create({ data: { email: `notify${++n}@example.com`, name: "N", passwordHash: "x" } });
}
const ctx = (userId: string) => ({ db: t.database.prisma, keyring, userId, meta: { ip: "198.51.100.7", userAgent: "notify-test" }, allowLocal: true });

async function deliveriesOf(notificationId: string) {
  return t.database.prisma.notificationDelivery.findMany({ where: { notificationId }, include: { channel: true }, orderBy: { createdAt: "asc" } });
}
async function until<T>(fn: () => Promise<T | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== false) return v;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("notify() and the delivery job", () => {
  it("one row for the bell, one delivery per channel that wants the event; a failing webhook is retried until it answers, signed", async () => {
    const u = await user();
    const hook = await receiver(1);
    await addChannel(ctx(u.id), { type: "TELEGRAM", botToken, chatId: "5150" });
    const { webhookSecret } = await addChannel(ctx(u.id), { type: "WEBHOOK", url: hook.url });
    const channels = await listChannels({ db: t.database.prisma, userId: u.id });
    expect(channels.map((c) => [c.type, c.events])).toEqual([
      ["EMAIL", ["KEY_DISABLED", "KEY_EXPIRING", "POSITION_UNPROTECTED", "LIVE_ACCESS_CHANGED"]],
      ["TELEGRAM", ["KEY_DISABLED", "KEY_EXPIRING", "POSITION_UNPROTECTED", "LIVE_ACCESS_CHANGED"]],
      ["WEBHOOK", ["KEY_DISABLED", "KEY_EXPIRING", "POSITION_UNPROTECTED", "LIVE_ACCESS_CHANGED"]],
    ]);
    // Secrets are sealed: neither the token nor the signing secret is stored or listed in clear.
    const stored = JSON.stringify(await t.database.prisma.notificationChannel.findMany({ where: { userId: u.id } }));
    expect(stored).not.toContain(botToken);
    expect(stored).not.toContain(webhookSecret!);
    expect(JSON.stringify(channels)).not.toContain(botToken);
    // Each addition is audited, without the secrets.
    const audit = await t.database.prisma.auditLog.findMany({ where: { targetType: "notification_channel", actorId: u.id }, select: { action: true, details: true, targetId: true } });
    expect(audit.map((a) => a.action).sort()).toEqual(["notification.channel_add", "notification.channel_add"]);
    expect(JSON.stringify(audit)).not.toContain(botToken);
    expect(JSON.stringify(audit)).not.toContain(webhookSecret!);

    const { notificationIds } = await withNotifications(t.database.prisma, jobs, async (tx, after) => {
      const r = await notify(tx, jobs, { userId: u.id, kind: "KEY_DISABLED", message: "Your Bybit key was disabled: invalid signature", details: { exchange: "BYBIT" } });
      after.push(...r.after);
      return r;
    });
    const id = notificationIds[0]!;
    const done = await until(async () => {
      const ds = await deliveriesOf(id);
      return ds.length === 3 && ds.every((d) => d.status !== "PENDING") ? ds : false;
    });
    expect(done.map((d) => [d.channel.type, d.status, d.attempts])).toEqual([
      ["EMAIL", "SENT", 1],
      ["TELEGRAM", "SENT", 1],
      ["WEBHOOK", "SENT", 2],
    ]);
    expect(smtp.messages.filter((m) => m.to.includes(u.email)).map((m) => m.subject)).toEqual(["KeyRelay: Exchange key disabled"]);
    expect(tg.messages.filter((m) => m.chatId === "5150").map((m) => m.text)).toEqual(["Exchange key disabled\nYour Bybit key was disabled: invalid signature"]);
    expect(hook.got.map((g) => g.status)).toEqual([500, 204]);
    const last = hook.got[1]!;
    expect(verifySignature(webhookSecret!, last.body, last.signature, Math.floor(Date.now() / 1000))).toBe(true);
    expect(JSON.parse(last.body)).toMatchObject({ event: "KEY_DISABLED", content: expect.stringContaining("Your Bybit key was disabled"), text: expect.any(String), details: { exchange: "BYBIT" } });
    await hook.close();
  }, 60_000);

  it("events a channel did not choose are not sent to it; a channel that keeps failing ends FAILED after its attempts, without blocking the others", async () => {
    const u = await user();
    const hook = await receiver(100);
    const tgc = await addChannel(ctx(u.id), { type: "TELEGRAM", botToken, chatId: "6160" });
    const whc = await addChannel(ctx(u.id), { type: "WEBHOOK", url: hook.url });
    await updateChannel({ db: t.database.prisma, userId: u.id, meta: null }, { channelId: tgc.channel.id, events: ["ORDER_FAILED"] });
    await updateChannel({ db: t.database.prisma, userId: u.id, meta: null }, { channelId: whc.channel.id, events: ["ORDER_FAILED"] });
    const filled = await withNotifications(t.database.prisma, jobs, async (tx, after) => {
      const r = await notify(tx, jobs, { userId: u.id, kind: "ORDER_FILLED", message: "BUY 0.001 BTC/USDT filled" });
      after.push(...r.after);
      return r;
    });
    expect(await deliveriesOf(filled.notificationIds[0]!)).toEqual([]); // the bell only

    const r = await withNotifications(t.database.prisma, jobs, async (tx, after) => {
      const x = await notify(tx, jobs, { userId: u.id, kind: "ORDER_FAILED", message: "BUY 0.001 BTC/USDT failed: not enough balance" });
      after.push(...x.after);
      return x;
    });
    const tgSent = await until(async () => (await deliveriesOf(r.notificationIds[0]!)).find((d) => d.channel.type === "TELEGRAM" && d.status === "SENT") ?? false);
    expect(tgSent.attempts).toBe(1);
    // The webhook's job, retried by the queue; run the remaining attempts now rather than waiting out the backoff.
    const wh = (await deliveriesOf(r.notificationIds[0]!)).find((d) => d.channel.type === "WEBHOOK")!;
    let status: string | undefined;
    for (let i = 0; i < 4 && status !== "FAILED"; i++) status = await deliverNotification(deps, wh.id).catch(() => "RETRY");
    const after = await t.database.prisma.notificationDelivery.findUniqueOrThrow({ where: { id: wh.id } });
    expect(after.status).toBe("FAILED");
    expect(after.attempts).toBe(4);
    expect(after.lastError).toBe("HTTP 500: temporarily broken");
    await hook.close();
  }, 60_000);
});

describe("SSRF: a user-supplied webhook URL cannot reach the server's own network", () => {
  it("with private targets refused (production), a webhook to 127.0.0.1 or to a name resolving to loopback is never called", async () => {
    const u = await user();
    const hook = await receiver(0);
    const port = new URL(hook.url).port;
    // The attacker's channels, accepted here only because this test environment allows local URLs at creation...
    const direct = await addChannel(ctx(u.id), { type: "WEBHOOK", url: hook.url });
    const viaName = await addChannel(ctx(u.id), { type: "WEBHOOK", url: `http://localhost:${port}/hook` });
    await updateChannel({ db: t.database.prisma, userId: u.id, meta: null }, { channelId: direct.channel.id, events: ["ORDER_FAILED"] });
    await updateChannel({ db: t.database.prisma, userId: u.id, meta: null }, { channelId: viaName.channel.id, events: ["ORDER_FAILED"] });
    // ...and refused at creation where private targets are not allowed.
    await expect(addChannel({ ...ctx(u.id), allowLocal: false }, { type: "WEBHOOK", url: "https://127.0.0.1:8443/admin" })).rejects.toMatchObject({ code: "BAD_INPUT", field: "url" });
    await expect(addChannel({ ...ctx(u.id), allowLocal: false }, { type: "WEBHOOK", url: "https://169.254.169.254/latest/meta-data" })).rejects.toMatchObject({ code: "BAD_INPUT", field: "url" });

    const r = await t.database.prisma.$transaction((tx) => notify(tx, { addInTx: async () => undefined, afterCommit: () => undefined }, { userId: u.id, kind: "ORDER_FAILED", message: "x" }));
    const production = { ...deps, allowPrivate: false };
    const ds = (await deliveriesOf(r.notificationIds[0]!)).filter((d) => d.channel.type === "WEBHOOK");
    expect(ds).toHaveLength(2);
    for (const d of ds) {
      for (let i = 0; i < 4; i++) await deliverNotification(production, d.id).catch(() => undefined);
    }
    const ended = await t.database.prisma.notificationDelivery.findMany({ where: { id: { in: ds.map((d) => d.id) } }, include: { channel: true } });
    expect(ended.map((d) => d.status)).toEqual(["FAILED", "FAILED"]);
    for (const d of ended) expect(d.lastError).toMatch(/private or loopback address; notifications are only sent to public addresses/);
    expect(hook.got).toEqual([]); // nothing reached the internal service
    await hook.close();
  }, 60_000);
});
