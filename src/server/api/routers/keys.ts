/** Exchange keys: thin procedures over src/server/keys; every output is a schema with no secret. */
import { z } from "zod";
import { getEnv } from "~/env";
import { createTRPCRouter, protectedProcedure, requireStepUp, type Context } from "~/server/api/trpc";
import { assertRecentStepUp } from "~/server/auth/step-up";
import { getExchangeAdapter, getJobSink } from "~/server/keys/exchange-access";
import {
  allKeyStatus,
  credentialView,
  deleteKey,
  environmentParam,
  exchangeParam,
  keyHistory,
  keyStatus,
  saveKey,
  setTradingMode,
  tradingModeInput,
  verificationView,
  verifyKey,
} from "~/server/keys/key-service";
import { assertWithinLimit } from "~/server/ratelimit/process-rate-limits";
import { getKeyring } from "~/server/vault/process-keyring";

function keyContext(ctx: Context & { user: { id: string } }) {
  const env = getEnv();
  return {
    db: ctx.db,
    adapter: getExchangeAdapter(),
    keyring: getKeyring(),
    userId: ctx.user.id,
    meta: ctx.meta,
    egressIps: env.EGRESS_IPS,
    requireIpRestriction: env.REQUIRE_KEY_IP_RESTRICTION,
    jobs: getJobSink(),
  };
}

export const saveKeyInput = z.strictObject(
  {
    exchange: exchangeParam,
    apiKey: z.string({ error: "apiKey is required: paste the API key from your exchange" }).max(200, "apiKey is too long"),
    apiSecret: z.string({ error: "apiSecret is required: paste the secret key from your exchange" }).max(4000, "apiSecret is too long"),
    environment: environmentParam.optional(),
    label: z.string({ error: "label must be text" }).max(60, "label must be at most 60 characters").optional(),
  },
  { error: (iss) => (iss.code === "unrecognized_keys" ? `unknown field(s): ${iss.keys.join(", ")}` : undefined) },
);

export const keySelector = z.strictObject({ exchange: exchangeParam, environment: environmentParam.optional() });
const keyWithVerification = z.object({ credential: credentialView, verification: verificationView });
export const exchangeStatusOutput = z.object({ exchange: z.enum(["BINANCE", "BYBIT"]), connected: z.boolean(), keys: z.array(credentialView) });
export const allStatusOutput = z.object({ tradingMode: z.enum(["PERSONAL", "PAPER", "OFF"]), exchanges: z.array(exchangeStatusOutput) });
export const deleteOutput = z.object({ deleted: z.literal(true), exchange: z.enum(["BINANCE", "BYBIT"]), environment: z.enum(["LIVE", "TESTNET", "DEMO"]) });
export const tradingModeOutput = z.object({ mode: z.enum(["PERSONAL", "PAPER", "OFF"]), previous: z.enum(["PERSONAL", "PAPER", "OFF"]) });

const historyOutput = z.array(
  z.object({
    credential: credentialView,
    checks: z.array(
      z.object({
        id: z.string(),
        at: z.date(),
        status: z.enum(["UNVERIFIED", "ACTIVE", "DISABLED", "REJECTED"]),
        ok: z.boolean(),
        errorKind: z.string().nullable(),
        message: z.string().nullable(),
        permissions: z.object({ read: z.boolean(), trade: z.boolean(), futures: z.boolean(), withdraw: z.boolean() }),
        ipRestricted: z.boolean(),
        durationMs: z.number(),
      }),
    ),
  }),
);

export const keysRouter = createTRPCRouter({
  save: protectedProcedure
    .use(requireStepUp)
    .input(saveKeyInput)
    .output(keyWithVerification)
    .mutation(async ({ ctx, input }) => {
      await assertWithinLimit("keySave", ctx.user.id);
      const { exchange, ...body } = input;
      return saveKey(keyContext(ctx), exchange, body);
    }),
  verify: protectedProcedure
    .input(keySelector)
    .output(keyWithVerification)
    .mutation(async ({ ctx, input }) => {
      await assertWithinLimit("keyVerify", ctx.user.id);
      return verifyKey(keyContext(ctx), input.exchange, input.environment);
    }),
  status: protectedProcedure
    .input(z.strictObject({ exchange: exchangeParam }))
    .output(exchangeStatusOutput)
    .query(({ ctx, input }) => keyStatus({ db: ctx.db, userId: ctx.user.id }, input.exchange)),
  delete: protectedProcedure
    .use(requireStepUp)
    .input(keySelector)
    .output(deleteOutput)
    .mutation(({ ctx, input }) => deleteKey(keyContext(ctx), input.exchange, input.environment)),
  allStatus: protectedProcedure.output(allStatusOutput).query(({ ctx }) => allKeyStatus({ db: ctx.db, userId: ctx.user.id })),
  history: protectedProcedure.output(historyOutput).query(({ ctx }) => keyHistory({ db: ctx.db, userId: ctx.user.id })),
  setTradingMode: protectedProcedure
    .input(tradingModeInput)
    .output(tradingModeOutput)
    .mutation(async ({ ctx, input }) => {
      // Only PERSONAL trades real money; PAPER and OFF stay one click away.
      if (input.mode === "PERSONAL") await assertRecentStepUp(ctx.db, ctx.auth);
      return setTradingMode({ db: ctx.db, userId: ctx.user.id, meta: ctx.meta }, input.mode);
    }),
});
