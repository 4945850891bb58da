// The simulator's HTTP server: one node:http listener serving the Binance and
// Bybit dialects plus the /__sim/ control API, with fault injection in front.
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { normalizeIp } from "./auth.ts";
import { createBinanceHandler } from "./binance-api.ts";
import { createBybitHandler } from "./bybit-api.ts";
import { handleControl } from "./control-api.ts";
import { type FaultEffect, faultResponse, takeFaults } from "./faults.ts";
import { type RateLimits, type SimState, createState } from "./state.ts";
import { type SimRequest, type SimResponse, header } from "./wire.ts";

export interface StartOptions {
  /** 0 (default) picks a free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** per-key rate limits; see DEFAULT_LIMITS in state.ts */
  limits?: Partial<RateLimits>;
}

export interface Simulator {
  url: string;
  port: number;
  close(): Promise<void>;
  state: SimState;
}

function send(res: ServerResponse, r: SimResponse): void {
  const headers: Record<string, string | number> = {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(r.body),
  };
  if (r.headers !== undefined) Object.assign(headers, r.headers);
  res.writeHead(r.status, headers);
  res.end(r.body);
}

function notFound(bybit: boolean, req: SimRequest): SimResponse {
  const msg = `route not simulated: ${req.method} ${req.path}`;
  const body = bybit
    ? JSON.stringify({ retCode: 10017, retMsg: msg, result: {}, retExtInfo: {}, time: Date.now() })
    : JSON.stringify({ code: -1000, msg });
  return { status: 404, body };
}

export async function startSimulator(options: StartOptions = {}): Promise<Simulator> {
  const state = createState(options.limits);
  const binance = createBinanceHandler(state);
  const bybit = createBybitHandler(state);
  const startedAt = Date.now();
  const hung = new Set<ServerResponse>();

  const dispatch = (isBybit: boolean, req: SimRequest): SimResponse => {
    try {
      return (isBybit ? bybit(req) : binance(req)) ?? notFound(isBybit, req);
    } catch (e) {
      // a thrown error here is a simulator bug: answer loudly rather than hang the client
      return { status: 500, body: JSON.stringify({ error: e instanceof Error ? e.stack ?? e.message : String(e) }) };
    }
  };

  const withFault = (req: SimRequest, res: ServerResponse, isBybit: boolean, fault: FaultEffect): void => {
    const run = (): void => {
      if (fault.timeout) {
        // never answer: the client's own timeout has to fire
        hung.add(res);
        res.on("close", () => hung.delete(res));
        return;
      }
      if (fault.status !== null) return send(res, faultResponse(isBybit ? "bybit" : "binance", fault.status));
      const out = dispatch(isBybit, req);
      // the order is booked, the answer is lost: what a dropped connection looks like to the client
      if (fault.dropAfterAccept) return void res.socket?.destroy();
      send(res, out);
    };
    if (fault.latencyMs > 0) setTimeout(run, fault.latencyMs);
    else run();
  };

  const onRequest = (message: IncomingMessage, res: ServerResponse): void => {
    const url = message.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const rawQuery = q === -1 ? "" : url.slice(q + 1);
    let body = "";
    message.setEncoding("utf8");
    message.on("data", (chunk: string) => {
      body += chunk;
    });
    message.on("end", () => {
      const req: SimRequest = { method: message.method ?? "GET", path, rawQuery, body, headers: message.headers, ip: normalizeIp(message.socket.remoteAddress) };
      if (path.startsWith("/__sim/")) return send(res, handleControl(state, req, startedAt));
      const isBybit = path.startsWith("/v5/");
      const fault = takeFaults(state, header(req, isBybit ? "x-bapi-api-key" : "x-mbx-apikey"), path);
      if (fault === null) send(res, dispatch(isBybit, req));
      else withFault(req, res, isBybit, fault);
    });
  };

  const server = createServer(onRequest);
  // longer than undici's idle timeout, so the server never closes a socket a client is about to reuse
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const close = async (): Promise<void> => {
    for (const res of hung) res.socket?.destroy();
    hung.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };
  return { url, port, close, state };
}
