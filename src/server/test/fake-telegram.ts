/**
 * A fake Telegram bot API on localhost for tests: POST /bot<token>/sendMessage records the message
 * and answers like Telegram ({ ok: true, result }); a token in `refuse` gets 401 Unauthorized, a
 * chat id in `badChats` 400 "chat not found". Point TELEGRAM_API_BASE (or the client's baseUrl) at `url`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface TelegramMessage {
  token: string;
  chatId: string;
  text: string;
}

export interface FakeTelegram {
  url: string;
  messages: TelegramMessage[];
  refuse: Set<string>;
  badChats: Set<string>;
  close(): Promise<void>;
}

export async function startFakeTelegram(opts: { port?: number } = {}): Promise<FakeTelegram> {
  const messages: TelegramMessage[] = [];
  const refuse = new Set<string>();
  const badChats = new Set<string>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const m = /^\/bot([^/]+)\/sendMessage$/.exec(req.url ?? "");
      const answer = (status: number, json: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
      if (!m || req.method !== "POST") return answer(404, { ok: false, error_code: 404, description: "Not Found" });
      const token = decodeURIComponent(m[1]!);
      if (refuse.has(token)) return answer(401, { ok: false, error_code: 401, description: "Unauthorized" });
      let parsed: { chat_id?: unknown; text?: unknown };
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        return answer(400, { ok: false, error_code: 400, description: "Bad Request: can't parse JSON" });
      }
      const chatId = String(parsed.chat_id ?? "");
      if (badChats.has(chatId)) return answer(400, { ok: false, error_code: 400, description: "Bad Request: chat not found" });
      messages.push({ token, chatId, text: String(parsed.text ?? "") });
      answer(200, { ok: true, result: { message_id: messages.length, chat: { id: chatId }, text: parsed.text } });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    refuse,
    badChats,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
