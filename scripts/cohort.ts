/**
 * Operator CLI for the live-trading cohort (who may switch to PERSONAL):
 *   npm run cohort -- show
 *   npm run cohort -- set --everyone
 *   npm run cohort -- set --tiers PRO[,FLEX]      (those tiers and the beta list)
 *   npm run cohort -- set --beta-only             (the beta list only)
 *   npm run cohort -- allow --email E             (add to the beta list)
 *   npm run cohort -- revoke --email E            (remove from the beta list)
 * Audited with no actor ("operator-cli"). Live users left outside are moved to PAPER and notified;
 * the users moved are printed.
 */
import { parseArgs } from "node:util";
import { ZodError } from "zod";
import { cohortInput } from "~/server/cohorts/cohort-input";
import { getCohort, updateCohort, type CohortActor } from "~/server/cohorts/cohort-settings";
import { setUserLiveAccess } from "~/server/cohorts/live-access";
import { closeDatabase, getDb } from "~/server/db";
import { rootDatabase } from "~/server/composition";
import { graphileSink } from "~/server/engine/runtime";
import { AppError } from "~/server/errors";

const USAGE = [
  "usage: npm run cohort -- show",
  "       npm run cohort -- set --everyone | --tiers PRO[,FLEX] | --beta-only",
  "       npm run cohort -- allow --email E | revoke --email E",
].join("\n");

function usage(problem?: string): never {
  if (problem) console.error(problem);
  console.error(USAGE);
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: { everyone: { type: "boolean", default: false }, tiers: { type: "string" }, "beta-only": { type: "boolean", default: false }, email: { type: "string" } },
  });
}
try {
  parsed = parse();
} catch (err) {
  usage((err as Error).message);
}
const { positionals, values } = parsed;
const command = positionals[0];
if (!command || !["show", "set", "allow", "revoke"].includes(command) || positionals.length > 1) usage();

/** Notifications go out through the PostgreSQL job queue (the worker sends them); with the embedded database only the bell gets them. */
function operator(): CohortActor {
  return { db: getDb(), jobs: rootDatabase().kind === "postgres" ? graphileSink() : null, actorId: null, actorEmail: "operator-cli", meta: null };
}

async function run(): Promise<void> {
  const db = getDb();
  if (command === "show") {
    const c = await getCohort(db);
    const [beta, live, pending] = await Promise.all([
      db.user.findMany({ where: { liveAccess: true }, select: { email: true }, orderBy: { email: "asc" } }),
      db.user.count({ where: { tradingMode: "PERSONAL" } }),
      db.liveAccessRequest.count({ where: { status: "PENDING" } }),
    ]);
    console.log(c.description);
    console.log(`everyone: ${c.everyone}; tiers: ${c.tiers.join(",") || "-"}; beta list: ${beta.length ? beta.map((u) => u.email).join(", ") : "(empty)"}`);
    console.log(`live (PERSONAL) users: ${live}; pending requests: ${pending}`);
    return;
  }
  if (command === "set") {
    const picked = [values.everyone, values.tiers !== undefined, values["beta-only"]].filter(Boolean).length;
    if (picked !== 1) usage("--everyone, --tiers or --beta-only: pick exactly one");
    const tiers = values.tiers?.split(",").map((t) => t.trim().toUpperCase()).filter(Boolean) ?? [];
    if (values.tiers !== undefined && tiers.length === 0) usage("--tiers: list at least one tier, e.g. --tiers PRO (or use --beta-only)");
    const input = cohortInput.parse({ everyone: values.everyone, tiers });
    const r = await updateCohort(operator(), input);
    console.log(`cohort: ${r.cohort.description}`);
    if (r.movedToPaper.length === 0) console.log("no live user was moved");
    else {
      console.log(`moved to PAPER (notified): ${r.movedToPaper.length}`);
      for (const u of r.movedToPaper) console.log(`  ${u.email}`);
    }
    return;
  }
  if (!values.email) usage("--email: give the user's email address");
  const r = await setUserLiveAccess(operator(), { email: values.email, allowed: command === "allow" });
  if (!r.changed) console.log(`${r.email} is ${r.liveAccess ? "already" : "not"} on the beta list: nothing changed`);
  else console.log(`${r.email} ${r.liveAccess ? "added to" : "removed from"} the beta list${r.movedToPaper ? "; moved to PAPER (notified)" : ""}`);
}

try {
  await run();
} catch (err) {
  if (err instanceof ZodError) {
    for (const i of err.issues) console.error(`--${String(i.path[0] ?? "options")}: ${i.message}`);
    console.error(USAGE);
    process.exitCode = 2;
  } else if (err instanceof AppError && (err.code === "NOT_FOUND" || err.code === "BAD_INPUT")) {
    console.error(err.field ? `--${err.field}: ${err.message}` : err.message);
    process.exitCode = 2;
  } else throw err;
} finally {
  await closeDatabase();
}
