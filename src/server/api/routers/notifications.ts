import { z } from "zod";
import { createTRPCRouter, protectedProcedure } from "~/server/api/trpc";
import { addChannel, listChannels, removeChannel, testChannel, updateChannel } from "~/server/notifications/channels";
import { CHANNEL_TYPES, DELIVERY_STATUSES, NOTIFICATION_KINDS } from "~/server/notifications/events";
import { markRead, notificationPage, unreadCount } from "~/server/notifications/feed";
import { allowPrivateTargets, processSendSettings } from "~/server/notifications/send-settings";
import { getKeyring } from "~/server/vault/process-keyring";

const delivery = z.object({
  id: z.string(),
  channelType: z.enum(CHANNEL_TYPES),
  channelLabel: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  sentAt: z.date().nullable(),
});
const notificationItem = z.object({ id: z.string(), kind: z.string(), message: z.string(), at: z.date(), read: z.boolean(), deliveries: z.array(delivery) });

// No secret ever: a hint of the bot token / signing secret only.
const channelView = z.object({
  id: z.string(),
  type: z.enum(CHANNEL_TYPES),
  label: z.string(),
  target: z.string(),
  secretHint: z.string().nullable(),
  events: z.array(z.enum(NOTIFICATION_KINDS)),
  enabled: z.boolean(),
  createdAt: z.date(),
});

// The module checks the details (channel-input.ts) and names the field; here only the shape.
const addInput = z.object({
  type: z.enum(["TELEGRAM", "WEBHOOK"], { error: "type: choose TELEGRAM or WEBHOOK" }),
  label: z.string().max(200).optional(),
  botToken: z.string().max(200).optional(),
  chatId: z.string().max(100).optional(),
  url: z.string().max(4_000).optional(),
});

const channelId = z.string().min(1, "channelId is required").max(64);

export const notificationsRouter = createTRPCRouter({
  unread: protectedProcedure.output(z.object({ count: z.number().int() })).query(async ({ ctx }) => ({ count: await unreadCount(ctx.db, ctx.user.id) })),

  list: protectedProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(30), cursor: z.string().max(64).nullish() }).default({ limit: 30 }))
    .output(z.object({ items: z.array(notificationItem), nextCursor: z.string().nullable() }))
    .query(async ({ ctx, input }) => {
      const page = await notificationPage(ctx.db, ctx.user.id, { limit: input.limit, before: input.cursor });
      return { items: page.items, nextCursor: page.nextBefore };
    }),

  markRead: protectedProcedure
    .input(z.object({ ids: z.array(z.string().max(64)).min(1, "ids: name at least one notification").max(200) }))
    .output(z.object({ updated: z.number().int() }))
    .mutation(async ({ ctx, input }) => ({ updated: await markRead(ctx.db, ctx.user.id, input.ids) })),

  markAllRead: protectedProcedure.output(z.object({ updated: z.number().int() })).mutation(async ({ ctx }) => ({ updated: await markRead(ctx.db, ctx.user.id, "all") })),

  channels: protectedProcedure.output(z.array(channelView)).query(({ ctx }) => listChannels({ db: ctx.db, userId: ctx.user.id })),

  addChannel: protectedProcedure
    .input(addInput)
    // The only answer that ever carries a webhook's signing secret.
    .output(z.object({ channel: channelView, webhookSecret: z.string().nullable() }))
    .mutation(({ ctx, input }) => addChannel({ db: ctx.db, keyring: getKeyring(), userId: ctx.user.id, meta: ctx.meta, allowLocal: allowPrivateTargets() }, input)),

  updateChannel: protectedProcedure
    .input(z.object({ channelId, events: z.array(z.string().max(40)).max(20).optional(), enabled: z.boolean().optional(), label: z.string().max(200).optional() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await updateChannel({ db: ctx.db, userId: ctx.user.id, meta: ctx.meta }, input);
      return { ok: true as const };
    }),

  removeChannel: protectedProcedure
    .input(z.object({ channelId }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await removeChannel({ db: ctx.db, userId: ctx.user.id, meta: ctx.meta }, input.channelId);
      return { ok: true as const };
    }),

  testChannel: protectedProcedure
    .input(z.object({ channelId }))
    .output(z.object({ ok: z.boolean(), error: z.string().nullable() }))
    .mutation(async ({ ctx, input }) => {
      const r = await testChannel({ db: ctx.db, userId: ctx.user.id }, processSendSettings(), input.channelId);
      return { ok: r.ok, error: r.error ?? null };
    }),
});
