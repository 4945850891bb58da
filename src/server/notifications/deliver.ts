/**
 * The deliver_notification job: sends one delivery (one notification on one channel) and records
 * the attempt in the delivery log. A failed attempt throws, so the queue retries it with exponential
 * backoff (graphile-worker: ~e^n seconds; in-process: 0.5 s, 1 s, 2 s); the last one is recorded as
 * FAILED and does not throw. Each delivery is its own job: one slow or broken channel delays
 * nothing else, and no trading job waits for any of them (they run at a lower priority).
 */
import type { Db } from "~/server/db";
import { logger } from "~/server/logger";
import { DELIVERY_MAX_ATTEMPTS } from "~/server/notifications/events";
import { sendToChannel, type ChannelSendDeps } from "~/server/notifications/send-channel";

export type DeliverDeps = Omit<ChannelSendDeps, "db"> & { db: Db };

export class DeliveryFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeliveryFailed";
  }
}

/** Returns the delivery's status after this attempt; throws (for a retry) while attempts remain. */
export async function deliverNotification(deps: DeliverDeps, deliveryId: string, maxAttempts = DELIVERY_MAX_ATTEMPTS): Promise<"SENT" | "FAILED" | "SKIPPED"> {
  // Claim an attempt: counted before sending, so a crash mid-send still counts it.
  const claimed = await deps.db.notificationDelivery.updateManyAndReturn({
    where: { id: deliveryId, status: "PENDING", attempts: { lt: maxAttempts } },
    data: { attempts: { increment: 1 } },
    select: { attempts: true },
  });
  if (claimed.length === 0) return "SKIPPED"; // sent or given up already, or gone with its channel
  const attempt = claimed[0]!.attempts;
  const d = await deps.db.notificationDelivery.findUnique({ where: { id: deliveryId }, include: { notification: true, channel: true } });
  if (!d) return "SKIPPED";
  let result;
  if (!d.channel.enabled) result = { ok: false, error: "The channel was turned off before this was sent." };
  else {
    try {
      result = await sendToChannel(deps, d.channel, d.notification);
    } catch (err) {
      result = { ok: false, error: err instanceof Error ? err.message.slice(0, 300) : "The send failed." };
    }
  }
  if (result.ok) {
    await deps.db.notificationDelivery.update({ where: { id: d.id }, data: { status: "SENT", sentAt: new Date(), lastError: null } });
    return "SENT";
  }
  const last = attempt >= maxAttempts || !d.channel.enabled;
  // Compare-and-set on the attempt: a slower earlier attempt never overwrites a later one's outcome.
  await deps.db.notificationDelivery.updateMany({ where: { id: d.id, status: "PENDING", attempts: attempt }, data: { status: last ? "FAILED" : "PENDING", lastError: result.error ?? "The send failed." } });
  logger.warn({ deliveryId: d.id, channelType: d.channel.type, attempt, last }, "notification delivery failed");
  if (last) return "FAILED";
  throw new DeliveryFailed(`delivery ${d.id} attempt ${attempt} failed; retrying`);
}
