import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { captureLogs } from "~/server/logger";
import { listDevMail, DEV_MAILBOX_KEEP, storeDevMail } from "~/server/mail/dev-mailbox";
import { deliver, flushMail, getMailTransport, smtpSettings } from "~/server/mail/mailer";
import { resetPasswordMessage } from "~/server/mail/templates";

const saved = { NODE_ENV: process.env.NODE_ENV, DATA_DIR: process.env.DATA_DIR, SMTP_URL: process.env.SMTP_URL };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe("mail transport", () => {
  it("SMTP from SMTP_URL or SMTP_HOST and parts; none configured -> null", () => {
    expect(smtpSettings({})).toBeNull();
    expect(smtpSettings({ SMTP_URL: "smtps://u:p@mail.example.com:465" })).toBe("smtps://u:p@mail.example.com:465");
    expect(smtpSettings({ SMTP_HOST: "mail.example.com" })).toEqual({ host: "mail.example.com", port: 587, secure: false });
    expect(smtpSettings({ SMTP_HOST: "mail.example.com", SMTP_PORT: "465", SMTP_USER: "u", SMTP_PASSWORD: "p" })).toEqual({ host: "mail.example.com", port: 465, secure: true, auth: { user: "u", pass: "p" } });
  });

  it("development without SMTP keeps mail in the dev mailbox (files), and the log line has no link", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kr-mailbox-"));
    Object.assign(process.env, { NODE_ENV: "development", DATA_DIR: dir });
    delete process.env.SMTP_URL;
    expect(getMailTransport().name).toBe("dev-mailbox");
    const logs = captureLogs();
    const link = "http://localhost:3333/reset-password#token=secret-token-value-1234567890";
    deliver(resetPasswordMessage("ann@example.com", "Ann", link, 30));
    await flushMail();
    logs.restore();
    const [mail] = await listDevMail(path.join(dir, "mailbox"));
    expect(mail).toMatchObject({ to: "ann@example.com", subject: "Reset your KeyRelay password", kind: "reset_password" });
    expect(mail!.text).toContain(link);
    expect(logs.text()).toContain("dev mailbox");
    expect(logs.text()).not.toContain("secret-token-value");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("production without SMTP sends and keeps nothing, with a warning", async () => {
    Object.assign(process.env, { NODE_ENV: "production" });
    delete process.env.SMTP_URL;
    expect(getMailTransport().name).toBe("none");
    const logs = captureLogs();
    deliver(resetPasswordMessage("ann@example.com", "Ann", "http://x/reset-password#token=abcdefabcdefabcdefabcdef", 30));
    await flushMail();
    logs.restore();
    expect(logs.text()).toContain("no SMTP server is configured");
    expect(logs.text()).not.toContain("abcdefabcdef");
  });

  it("the dev mailbox keeps the newest messages and skips files that are not messages", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kr-mailbox-"));
    for (let i = 0; i < DEV_MAILBOX_KEEP + 3; i++) await storeDevMail(dir, { to: `u${i}@x.com`, subject: `s${i}`, kind: "security_notice", text: "t" }, new Date(1_700_000_000_000 + i));
    fs.writeFileSync(path.join(dir, "999999999999999-deadbeef.json"), "{not json");
    const list = await listDevMail(dir, 500);
    expect(list).toHaveLength(DEV_MAILBOX_KEEP);
    expect(list[0]!.subject).toBe(`s${DEV_MAILBOX_KEEP + 2}`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
