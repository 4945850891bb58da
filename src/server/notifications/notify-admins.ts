/** Tells every enabled ADMIN account something (a halt of trading, its lift), in the producer's transaction. */
import type { Prisma } from "~/generated/prisma/client";
import type { JobSink } from "~/server/jobs/job-sink";
import { notifyMany, type Notified, type NotifyInput, type NotifyTx } from "~/server/notifications/notify";

export type NotifyAdminsTx = NotifyTx & Pick<Prisma.TransactionClient, "user">;

export async function notifyAdmins(tx: NotifyAdminsTx, jobs: JobSink | null, input: Omit<NotifyInput, "userId">): Promise<Notified> {
  const admins = await tx.user.findMany({ where: { role: "ADMIN", disabledAt: null }, select: { id: true } });
  return notifyMany(tx, jobs, admins.map((a) => ({ ...input, userId: a.id })));
}
