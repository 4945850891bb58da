import { adminRouter } from "~/server/api/routers/admin";
import { authRouter } from "~/server/api/routers/auth";
import { keysRouter } from "~/server/api/routers/keys";
import { metricsRouter } from "~/server/api/routers/metrics";
import { strategiesRouter } from "~/server/api/routers/strategies";
import { tokensRouter } from "~/server/api/routers/tokens";
import { userRouter } from "~/server/api/routers/user";
import { createCallerFactory, createTRPCRouter } from "~/server/api/trpc";

export const appRouter = createTRPCRouter({
  admin: adminRouter,
  auth: authRouter,
  user: userRouter,
  keys: keysRouter,
  metrics: metricsRouter,
  strategies: strategiesRouter,
  tokens: tokensRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
