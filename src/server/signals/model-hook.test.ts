import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { captureLogs } from "~/server/logger";
import { askModelHook, MODEL_INSTRUCTIONS, parseAnswer, type ModelHookConfig, type ModelVerdict } from "~/server/signals/model-hook";
import { parseWebhookPayload, type ParsedAlert } from "~/server/signals/webhook-payload";

const API_KEY = "sk-test-VERY-SECRET-key-0123456789";
const ALERT_SECRET = "webhook-secret-xyz";

const parsed = parseWebhookPayload({
  contentType: "application/json",
  body: JSON.stringify({ ticker: "BTCUSDT", action: "buy", qty: 0.01, secret: ALERT_SECRET, note: "hi", apiToken: "tok-in-extra" }),
});
if (!parsed.ok) throw new Error("fixture alert must parse");
const alert: ParsedAlert = parsed.alert;
const rules = { approved: true, symbol: "BTC/USDT", reasons: [] };

const completion = (content: string) => JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content } }] });

// One tiny OpenAI-compatible server; the path picks the behaviour.
const requests: { path: string; headers: IncomingMessage["headers"]; body: string }[] = [];
const routes: Record<string, (res: ServerResponse) => void> = {
  "/approve": (res) => res.end(completion('{"decision":"approve","reason":"Looks normal."}')),
  "/veto": (res) => res.end(completion('```json\n{"decision": "VETO", "reason": "Size is 100x the usual."}\n```')),
  "/prose": (res) => res.end(completion('Sure! Here you go: {"decision":"veto","reason":"odd"} Hope that helps.')),
  "/slow": (res) => void setTimeout(() => res.end(completion('{"decision":"approve"}')), 2_000),
  "/stall-body": (res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"choices":');
    setTimeout(() => res.end('[{"message":{"content":"{\\"decision\\":\\"approve\\"}"}}]}'), 2_000);
  },
  "/500": (res) => {
    res.statusCode = 500;
    res.end(`upstream failed for Bearer ${API_KEY}`);
  },
  "/garbage": (res) => res.end("<html>not json</html>"),
  "/no-choices": (res) => res.end('{"error":"nope"}'),
  "/bad-decision": (res) => res.end(completion('{"decision":"maybe","reason":"unsure"}')),
  "/no-reason": (res) => res.end(completion('{"decision":"approve"}')),
};

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      requests.push({ path: req.url ?? "", headers: req.headers, body });
      const route = routes[req.url ?? ""];
      if (route) route(res);
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const ask = (path: string, config: Partial<ModelHookConfig> = {}) =>
  askModelHook({ url: base + path, apiKey: API_KEY, model: "gpt-test", timeoutMs: 300, failMode: "open", ...config }, { alert, rules });

describe("askModelHook", () => {
  it("sends an OpenAI-compatible request without the alert's secret and follows an approve", async () => {
    const before = requests.length;
    const verdict = await ask("/approve");
    expect(verdict).toMatchObject({ decision: "approve", reason: "Looks normal.", source: "model" });
    expect(verdict.latencyMs).toBeGreaterThanOrEqual(0);

    const request = requests[before];
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    const body = JSON.parse(request?.body ?? "{}") as { model: string; temperature: number; response_format: unknown; messages: { role: string; content: string }[] };
    expect(body).toMatchObject({ model: "gpt-test", temperature: 0, response_format: { type: "json_object" } });
    expect(body.messages[0]).toEqual({ role: "system", content: MODEL_INSTRUCTIONS });
    const user = JSON.parse(body.messages[1]?.content ?? "{}") as { alert: Record<string, unknown>; rules: unknown };
    expect(user.rules).toEqual(rules);
    expect(user.alert).toMatchObject({ action: "buy", quantity: "0.01", extra: { note: "hi", apiToken: "[REDACTED]" } });
    expect(user.alert).not.toHaveProperty("secret");
    expect(request?.body).not.toContain(ALERT_SECRET);
    expect(request?.body).not.toContain("tok-in-extra");
  });

  it("follows a veto, tolerating code fences, case and prose around the JSON", async () => {
    expect(await ask("/veto", { failMode: "open" })).toMatchObject({ decision: "veto", reason: "Size is 100x the usual.", source: "model" });
    expect(await ask("/prose")).toMatchObject({ decision: "veto", reason: "odd", source: "model" });
    expect(await ask("/no-reason")).toMatchObject({ decision: "approve", reason: expect.stringContaining("without a reason"), source: "model" });
  });

  it("omits the model, auth header and response_format when not configured", async () => {
    const before = requests.length;
    await askModelHook({ url: `${base}/approve`, failMode: "open", jsonMode: false }, { alert, rules });
    const request = requests[before];
    expect(request?.headers.authorization).toBeUndefined();
    expect(JSON.parse(request?.body ?? "{}")).not.toHaveProperty("model");
    expect(JSON.parse(request?.body ?? "{}")).not.toHaveProperty("response_format");
  });

  const failures: [string, string][] = [
    ["/slow", "timed out after 300 ms"],
    ["/stall-body", "timed out after 300 ms"],
    ["/500", "answered HTTP 500"],
    ["/missing", "answered HTTP 404"],
    ["/garbage", "without choices[0].message.content"],
    ["/no-choices", "without choices[0].message.content"],
    ["/bad-decision", 'something other than {"decision"'],
  ];

  it.each(failures)("%s fails open (approve) saying why: %s", async (path, why) => {
    const verdict = await ask(path, { failMode: "open" });
    expect(verdict).toMatchObject({ decision: "approve", source: "fail-open", reason: expect.stringContaining(why) });
    expect(verdict.reason).toContain("failing open");
  });

  it.each(failures)("%s fails closed (veto) saying why: %s", async (path, why) => {
    const verdict = await ask(path, { failMode: "closed" });
    expect(verdict).toMatchObject({ decision: "veto", source: "fail-closed", reason: expect.stringContaining(why) });
  });

  // How far past its timeout the answer comes: bench/signals.ts (vs a bare timer, in the same run).
  it("answers at the timeout, not when the slow server does", async () => {
    const verdict = await ask("/slow", { timeoutMs: 150 });
    // The slow server would have approved as the model: this verdict is the hook's own, on its timeout.
    expect(verdict).toMatchObject({ decision: "approve", source: "fail-open", reason: expect.stringContaining("timed out after 150 ms") });
    expect(verdict.latencyMs).toBeGreaterThanOrEqual(140); // it waited for its timeout: a timer never fires early, however loaded the machine
  });

  it("fails per mode on a bad URL or a refused connection", async () => {
    expect(await ask("", { url: "not a url", failMode: "closed" })).toMatchObject({ decision: "veto", reason: expect.stringContaining("not a valid URL") });
    expect(await ask("", { url: "file:///etc/passwd", failMode: "closed" })).toMatchObject({ decision: "veto", reason: expect.stringContaining("not http(s)") });
    expect(await ask("", { url: "http://127.0.0.1:1/v1", failMode: "open" })).toMatchObject({ decision: "approve", reason: expect.stringContaining("request failed") });
  });

  it("never puts the apiKey in a verdict or a log line", async () => {
    const logs = captureLogs();
    const verdicts: ModelVerdict[] = [];
    try {
      for (const path of Object.keys(routes)) verdicts.push(await ask(path, { timeoutMs: 100 }));
      verdicts.push(await ask("", { url: `http://${API_KEY}@127.0.0.1:1/`, failMode: "closed" }));
    } finally {
      logs.restore();
    }
    expect(JSON.stringify(verdicts)).not.toContain(API_KEY);
    expect(logs.text()).not.toContain(API_KEY);
  });
});

describe("parseAnswer", () => {
  it.each([
    ['{"decision":"approve","reason":"ok"}', "approve"],
    ['```\n{"decision":"veto"}\n```', "veto"],
    ['  ```JSON {"decision":" Approve "} ```', "approve"],
  ])("reads %j", (content, decision) => {
    expect(parseAnswer(content)?.decision).toBe(decision);
  });

  it.each(["", "approve", "{}", '{"decision":true}', '{"decision":"yes"}', "{{{", '["approve"]'])("refuses %j", (content) => {
    expect(parseAnswer(content)).toBeNull();
  });
});
