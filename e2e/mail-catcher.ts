/**
 * The e2e run's mail server: a real SMTP server (src/server/test/smtp-capture.ts) the app sends
 * to (SMTP_URL in playwright.config.ts), and a small HTTP API the specs read the messages from.
 *   GET /health                   200 once listening
 *   GET /messages?to=<address>    the messages to that address, oldest first
 * Usage: `tsx e2e/mail-catcher.ts` with E2E_SMTP_PORT and E2E_MAIL_PORT.
 */
import http from "node:http";
import { startSmtpCapture } from "../src/server/test/smtp-capture";

const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 4025);
const httpPort = Number(process.env.E2E_MAIL_PORT ?? 4026);

const smtp = await startSmtpCapture({ port: smtpPort });
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/health") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    return;
  }
  if (url.pathname === "/messages") {
    const to = url.searchParams.get("to")?.toLowerCase();
    const messages = to ? smtp.messages.filter((m) => m.to.includes(to)) : smtp.messages;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(messages));
    return;
  }
  res.writeHead(404).end();
});
server.listen(httpPort, "127.0.0.1");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close();
    void smtp.close().finally(() => process.exit(0));
  });
}
