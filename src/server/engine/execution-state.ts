/**
 * The execution state machine, in one place (Hummingbot's `OrderState` + `is_done` predicates).
 * Every other file, SQL and UI included, names statuses through this module: a status literal
 * anywhere else is a bug waiting for the next state to be added.
 *
 *   created ──► QUEUED ──claim──► SUBMITTING ──answer──► SUBMITTED | FILLED | PARTIALLY_FILLED
 *      │          ▲                  │  ▲                               REJECTED | FAILED | SKIPPED
 *      │          │                  └──┘ lease expired: re-claimed, looked up before any re-send
 *      ├──► WAITING ──► SKIPPED      (a reversal's open leg: queued once its close has filled, else skipped)
 *      └──► SKIPPED (a reason)
 *
 * Pure data and functions: safe to import from client components and from SQL-building code.
 */

export const EXECUTION_STATUSES = [
  "WAITING",
  "QUEUED",
  "SUBMITTING",
  "SUBMITTED",
  "FILLED",
  "PARTIALLY_FILLED",
  "REJECTED",
  "FAILED",
  "SKIPPED",
] as const;

export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** `ES.FILLED` instead of the string: a typo is a type error and a rename finds every use. */
export const ES = Object.freeze(Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, s])) as { readonly [K in ExecutionStatus]: K });

/** States a new execution row may be created in. */
export const INITIAL: readonly ExecutionStatus[] = [ES.QUEUED, ES.WAITING, ES.SKIPPED];

/** The outcome of a claimed execution once the exchange (or the paper book) has answered. */
export const RESULT_STATUSES = [ES.SUBMITTED, ES.FILLED, ES.PARTIALLY_FILLED, ES.REJECTED, ES.FAILED, ES.SKIPPED] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

/** Allowed transitions. SUBMITTING -> SUBMITTING is a re-claim after the lease ran out. */
export const TRANSITIONS: { readonly [K in ExecutionStatus]: readonly ExecutionStatus[] } = {
  WAITING: [ES.QUEUED, ES.SKIPPED],
  QUEUED: [ES.SUBMITTING],
  SUBMITTING: [ES.SUBMITTING, ...RESULT_STATUSES],
  SUBMITTED: [ES.FILLED, ES.PARTIALLY_FILLED, ES.REJECTED, ES.FAILED],
  PARTIALLY_FILLED: [ES.FILLED],
  FILLED: [],
  REJECTED: [],
  FAILED: [],
  SKIPPED: [],
};

export function canTransition(from: ExecutionStatus, to: ExecutionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Not yet answered: the engine still owns it (waiting for its turn, queued, or claimed and possibly on the wire). */
export const UNRESOLVED: readonly ExecutionStatus[] = [ES.WAITING, ES.QUEUED, ES.SUBMITTING];
/** Waiting for something: ours to send, or the exchange's to fill. */
export const IN_FLIGHT: readonly ExecutionStatus[] = [ES.WAITING, ES.QUEUED, ES.SUBMITTING, ES.SUBMITTED];
/** The exchange accepted the order (it may rest or have filled). */
export const SUCCEEDED: readonly ExecutionStatus[] = [ES.SUBMITTED, ES.FILLED, ES.PARTIALLY_FILLED];
/** An order was attempted and the exchange (or our side) refused or failed it. */
export const FAILED_ATTEMPT: readonly ExecutionStatus[] = [ES.REJECTED, ES.FAILED];
/** An order was attempted: succeeded or failed (skips never reached an exchange). */
export const ATTEMPTED: readonly ExecutionStatus[] = [...SUCCEEDED, ...FAILED_ATTEMPT];
/** Counted against a user's cooldown: placed, or possibly being placed. */
export const COUNTS_FOR_COOLDOWN: readonly ExecutionStatus[] = [ES.SUBMITTING, ...SUCCEEDED];
/** Nothing will change it any more. */
export const TERMINAL: readonly ExecutionStatus[] = [ES.FILLED, ES.REJECTED, ES.FAILED, ES.SKIPPED];

export const isInFlight = (s: string): boolean => (IN_FLIGHT as readonly string[]).includes(s);
export const isUnresolved = (s: string): boolean => (UNRESOLVED as readonly string[]).includes(s);
export const isSucceeded = (s: string): boolean => (SUCCEEDED as readonly string[]).includes(s);
export const isFailedAttempt = (s: string): boolean => (FAILED_ATTEMPT as readonly string[]).includes(s);
export const isTerminal = (s: string): boolean => (TERMINAL as readonly string[]).includes(s);

/** The audit outcome an answered execution records. */
export const auditOutcome = (s: ResultStatus): "SUCCESS" | "FAILURE" => (isSucceeded(s) ? "SUCCESS" : "FAILURE");

/** Summary buckets for progress bars and counts (admin signal page, strategy cards). */
export const PROGRESS_BUCKETS = {
  queued: [ES.WAITING, ES.QUEUED],
  sent: [ES.SUBMITTING, ES.SUBMITTED],
  filled: [ES.FILLED, ES.PARTIALLY_FILLED],
  failed: [ES.FAILED, ES.REJECTED],
  skipped: [ES.SKIPPED],
} as const satisfies Record<string, readonly ExecutionStatus[]>;

/**
 * A SQL list literal for `status IN (...)` / `status = ANY(...)`: `('QUEUED','SUBMITTING')`.
 * Built only from the constants above, never from input, so it is safe to splice into SQL.
 */
export function sqlList(statuses: readonly ExecutionStatus[]): string {
  for (const s of statuses) if (!(EXECUTION_STATUSES as readonly string[]).includes(s)) throw new Error(`not an execution status: ${s}`);
  return `(${statuses.map((s) => `'${s}'`).join(", ")})`;
}
