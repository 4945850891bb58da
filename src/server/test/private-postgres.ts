/**
 * A private, throwaway PostgreSQL cluster for tests that must stop or restart the server (the
 * shared one on 127.0.0.1:5432 serves other tests in parallel and is never touched). initdb into
 * a fresh temporary directory, pg_ctl start on a free port, one database with the migrations and
 * graphile-worker's schema applied; stop() shuts it down and removes the directory. Test-only.
 *
 * initdb refuses to run as root: as root the binaries run as the `postgres` OS user (runuser).
 * Commands run asynchronously, so a simulator in the test's own process keeps answering while
 * the cluster goes down and comes back.
 */
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { createPostgresDatabase } from "~/server/db";
import { applyMigrations } from "~/server/db/apply-migrations";
import { installJobSchema } from "~/server/jobs/graphile-queue";

const run = promisify(execFile);

export interface PrivatePostgres {
  /** postgresql://postgres@127.0.0.1:<port>/<database>: migrated, job schema installed. */
  url: string;
  port: number;
  dir: string;
  /**
   * Stops the server (fast: open connections are terminated), waits downMs (connections are
   * refused meanwhile), starts it again. onDown runs while the server is down.
   */
  restart(opts?: { downMs?: number; onDown?: () => unknown }): Promise<{ stoppedAt: number; startedAt: number }>;
  /** Stops the server (immediate) and removes its directory. Idempotent; never throws. */
  stop(): Promise<void>;
  /** The server's log, for failure reports. */
  log(): string;
}

function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "pg_ctl"))) : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}`);
  const newest = versions.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))[0]!;
  return path.join(root, newest, "bin");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPrivatePostgres(opts: { database?: string; migrate?: boolean } = {}): Promise<PrivatePostgres> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const pgRun = async (tool: string, args: string[]) => {
    const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
    try {
      return await run(file, argv, { timeout: 60_000, cwd: os.tmpdir() });
    } catch (err) {
      const e = err as Error & { stdout?: string; stderr?: string };
      throw new Error(`${tool} ${args.join(" ")} failed: ${e.message}\n${e.stdout ?? ""}${e.stderr ?? ""}\n${readLog()}`);
    }
  };

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kr-pg-"));
  const data = path.join(dir, "data");
  const logFile = path.join(dir, "log");
  const readLog = () => {
    try {
      return fs.readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };
  fs.mkdirSync(data, { mode: 0o700 });
  if (asRoot) await run("chown", ["-R", "postgres", dir]);

  let running = false;
  let port = 0;
  const pgCtlStart = async () => {
    await pgRun("pg_ctl", ["-D", data, "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`, "-l", logFile, "-w", "-t", "60", "start"]);
    running = true;
  };
  const pgCtlStop = async (mode: "fast" | "immediate") => {
    await pgRun("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"]);
    running = false;
  };
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  // Last resort if the test process ends without stop() (a crash, process.exit): no orphaned server.
  const onExit = () => {
    if (running) {
      try {
        const ctl = [path.join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"];
        if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", ...ctl], { stdio: "ignore", cwd: os.tmpdir() });
        else execFileSync(ctl[0]!, ctl.slice(1), { stdio: "ignore" });
      } catch {}
    }
    removeDir();
  };
  process.once("exit", onExit);

  try {
    await pgRun("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]);
    // A port taken between the probe and the start (another test) fails the start: try a few.
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      try {
        await pgCtlStart();
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
    const name = opts.database ?? "keyrelay";
    const base = `postgresql://postgres@127.0.0.1:${port}`;
    const admin = new pg.Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    const url = `${base}/${name}`;
    if (opts.migrate !== false) {
      const database = createPostgresDatabase(url, { max: 2 });
      try {
        await applyMigrations(database);
      } finally {
        await database.close();
      }
      await installJobSchema(url);
    }

    let stopped = false;
    return {
      url,
      port,
      dir,
      log: readLog,
      async restart({ downMs = 1_500, onDown } = {}) {
        await pgCtlStop("fast");
        const stoppedAt = Date.now();
        await Promise.all([new Promise((r) => setTimeout(r, downMs)), onDown?.()]);
        await pgCtlStart();
        return { stoppedAt, startedAt: Date.now() };
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        process.removeListener("exit", onExit);
        if (running) await pgCtlStop("immediate").catch(() => undefined);
        removeDir();
      },
    };
  } catch (err) {
    process.removeListener("exit", onExit);
    if (running) await pgCtlStop("immediate").catch(() => undefined);
    removeDir();
    throw err;
  }
}
