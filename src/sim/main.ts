// CLI entry: `tsx src/sim/main.ts` (npm run sim). Listens on 127.0.0.1:SIM_PORT (default 4010).
import { startSimulator } from "./server.ts";

const raw = process.env.SIM_PORT ?? "4010";
const port = Number(raw);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`SIM_PORT must be a port number (0-65535), got "${raw}"`);
  process.exit(1);
}

const sim = await startSimulator({ port, host: "127.0.0.1" });
console.log(`exchange simulator listening on ${sim.url} (Binance + Bybit; control API at ${sim.url}/__sim/health)`);

const stop = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
