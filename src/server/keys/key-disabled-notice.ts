/**
 * The notice a user gets when one of their keys is disabled. When they hold open live positions on
 * that exchange it says so plainly: the protective orders already on the exchange stay, but KeyRelay
 * can no longer manage those positions until the key is replaced.
 */
import type { Prisma } from "~/generated/prisma/client";
import type { Exchange } from "~/generated/prisma/enums";
import { PROFILES } from "~/server/exchanges/profiles";
import type { JobSink } from "~/server/jobs/job-sink";
import { notify, type Notified, type NotifyTx } from "~/server/notifications/notify";

type Tx = Pick<Prisma.TransactionClient, "position"> & NotifyTx;

/** Open live positions (size above zero, not paper) the user holds on this exchange. */
export function openLivePositions(tx: Pick<Prisma.TransactionClient, "position">, userId: string, exchange: Exchange): Promise<number> {
  return tx.position.count({ where: { userId, exchange, paper: false, size: { gt: 0 } } });
}

export function keyDisabledMessage(exchange: Exchange, reason: string, openPositions: number): string {
  const name = PROFILES[exchange].label;
  const base = `Your ${name} key was disabled: ${reason}`;
  if (openPositions === 0) return base;
  const them = openPositions === 1 ? "1 open live position" : `${openPositions} open live positions`;
  return (
    `URGENT: ${base} You hold ${them} on ${name}. Stop-loss and take-profit orders already on ${name} stay there, ` +
    `but KeyRelay can no longer manage ${openPositions === 1 ? "it" : "them"}: no closing on signals, no new protective orders, no updates. ` +
    `Replace the key on the Keys page now, or manage ${openPositions === 1 ? "the position" : "the positions"} on ${name} yourself.`
  );
}

/** The KEY_DISABLED notification (in the caller's transaction): `after` goes to jobs.afterCommit; `open` is the positions it named. */
export async function notifyKeyDisabled(
  tx: Tx,
  jobs: JobSink | null,
  cred: { userId: string; exchange: Exchange; environment: string },
  reason: string,
): Promise<Notified & { open: number }> {
  const open = await openLivePositions(tx, cred.userId, cred.exchange);
  const sent = await notify(tx, jobs, {
    userId: cred.userId,
    kind: "KEY_DISABLED",
    message: keyDisabledMessage(cred.exchange, reason, open),
    details: { exchange: cred.exchange, environment: cred.environment, reason, openLivePositions: open },
  });
  return { ...sent, open };
}
