// Fault injection: latency, error statuses, hung requests, and responses lost
// after the order was accepted (the case that makes blind retries double-fill).
import type { ExchangeId } from "./markets.ts";
import type { FaultRule, SimState } from "./state.ts";
import type { SimResponse } from "./wire.ts";

export interface FaultEffect {
  latencyMs: number;
  status: number | null;
  timeout: boolean;
  dropAfterAccept: boolean;
}

/** Combines every rule matching this request (max latency, first terminal effect) and spends one use of each. */
export function takeFaults(state: SimState, apiKey: string | undefined, path: string): FaultEffect | null {
  const rules = state.faults;
  if (rules.length === 0) return null;
  let effect: FaultEffect | null = null;
  for (const rule of rules) {
    if (rule.apiKey !== null && rule.apiKey !== apiKey) continue;
    if (rule.paths !== null && !rule.paths.some((prefix) => path.startsWith(prefix))) continue;
    rule.remaining--;
    effect ??= { latencyMs: 0, status: null, timeout: false, dropAfterAccept: false };
    effect.latencyMs = Math.max(effect.latencyMs, rule.latencyMs);
    // the first terminal effect wins: a hung request cannot also answer 503
    if (!effect.timeout && effect.status === null && !effect.dropAfterAccept) {
      effect.timeout = rule.timeout;
      effect.status = rule.timeout ? null : rule.status;
      effect.dropAfterAccept = !rule.timeout && rule.status === null && rule.dropAfterAccept;
    }
  }
  state.faults = rules.filter((r) => r.remaining > 0);
  return effect;
}

export function addFault(state: SimState, input: Omit<FaultRule, "id">): FaultRule {
  const rule: FaultRule = { id: ++state.faultSeq, ...input };
  state.faults.push(rule);
  return rule;
}

const HTML = { "Content-Type": "text/html" };

/** What each exchange's edge answers for an injected status. */
export function faultResponse(exchange: ExchangeId, status: number): SimResponse {
  if (status === 429 || status === 418) {
    if (exchange === "bybit") {
      return { status, body: JSON.stringify({ retCode: 10006, retMsg: "Too many visits!", result: {}, retExtInfo: {}, time: Date.now() }) };
    }
    const msg =
      status === 429
        ? "Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use the websocket for live updates to avoid bans."
        : `Way too many requests; IP(127.0.0.1) banned until ${Date.now() + 120_000}. Please use the websocket for live updates to avoid bans.`;
    return { status, body: JSON.stringify({ code: -1003, msg }), headers: { "Retry-After": status === 429 ? "1" : "120" } };
  }
  // 5xx come from the load balancer as HTML: no JSON code, so ccxt maps them by HTTP status
  const reason = status === 502 ? "Bad Gateway" : status === 503 ? "Service Unavailable" : "Internal Server Error";
  return { status, body: `<html><head><title>${status} ${reason}</title></head><body><center><h1>${status} ${reason}</h1></center></body></html>`, headers: HTML };
}
