import { accountRouter } from "~/server/api/routers/account";
import { adminRouter } from "~/server/api/routers/admin";
import { authRouter } from "~/server/api/routers/auth";
import { cohortsRouter } from "~/server/api/routers/cohorts";
import { dashboardRouter } from "~/server/api/routers/dashboard";
import { haltsRouter } from "~/server/api/routers/halts";
import { keysRouter } from "~/server/api/routers/keys";
import { mailboxRouter } from "~/server/api/routers/mailbox";
import { metricsRouter } from "~/server/api/routers/metrics";
import { notificationsRouter } from "~/server/api/routers/notifications";
import { positionsRouter } from "~/server/api/routers/positions";
import { satisfactionRouter } from "~/server/api/routers/satisfaction";
import { strategiesRouter } from "~/server/api/routers/strategies";
import { tokensRouter } from "~/server/api/routers/tokens";
import { userRouter } from "~/server/api/routers/user";
import { createCallerFactory, createTRPCRouter } from "~/server/api/trpc";

export const appRouter = createTRPCRouter({
  account: accountRouter,
  admin: adminRouter,
  auth: authRouter,
  cohorts: cohortsRouter,
  dashboard: dashboardRouter,
  user: userRouter,
  halts: haltsRouter,
  keys: keysRouter,
  mailbox: mailboxRouter,
  metrics: metricsRouter,
  notifications: notificationsRouter,
  positions: positionsRouter,
  satisfaction: satisfactionRouter,
  strategies: strategiesRouter,
  tokens: tokensRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
