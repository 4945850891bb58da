/** Test-only: strategy rows stored as the app stores them (token hash and hint), with the token returned once. */
import type { Prisma } from "~/generated/prisma/client";
import type { Db } from "~/server/db";
import { issueWebhookToken } from "~/server/strategies/webhook-token";

export type StrategyRowInput = Omit<Prisma.StrategyUncheckedCreateInput, "webhookTokenHash" | "webhookTokenHint">;

/** Creates the row and returns it with `webhookToken`, the plaintext the database never holds. */
export async function insertStrategy(db: Db, data: StrategyRowInput) {
  const { token, stored } = issueWebhookToken();
  const row = await db.strategy.create({ data: { ...data, ...stored } });
  return { ...row, webhookToken: token };
}
