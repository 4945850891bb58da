/** The process-wide exchange adapter, wired to the vault, the simulator setting and auto-disable (built by engine/runtime.ts). */
import type { ExchangeAdapter } from "~/server/exchanges/exchange-adapter";
import { exchangeAdapter, getEngine } from "~/server/engine/runtime";
import type { JobSink } from "~/server/jobs/job-sink";

export function getExchangeAdapter(): ExchangeAdapter {
  return exchangeAdapter();
}

/** The process's job sink (notifications made while verifying a key are delivered by jobs). */
export function getJobSink(): JobSink {
  return getEngine().deps.jobs;
}
