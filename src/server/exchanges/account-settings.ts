/**
 * Account settings last learned or set per key and symbol: the position mode (hedge or one-way,
 * learned from the exchange's refusal), leverage and margin mode (set before entries). One per
 * adapter, so per process; bounded: the oldest is forgotten first (forgetting only costs a call).
 */
import type { CredentialRef } from "~/server/exchanges/exchange-clients";

type Setting = { hedged: boolean; leverage: number; marginMode: string };
const MAX = 50_000;

export class AccountSettings {
  private readonly values = new Map<string, string | number | boolean>();

  get<K extends keyof Setting>(cred: CredentialRef, symbol: string, what: K): Setting[K] | undefined {
    return this.values.get(`${cred.id}|${symbol}|${what}`) as Setting[K] | undefined;
  }

  set<K extends keyof Setting>(cred: CredentialRef, symbol: string, what: K, value: Setting[K]): void {
    const key = `${cred.id}|${symbol}|${what}`;
    this.values.delete(key);
    this.values.set(key, value);
    if (this.values.size > MAX) this.values.delete(this.values.keys().next().value!);
  }

  get size(): number {
    return this.values.size;
  }
}
