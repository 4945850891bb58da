/** The dev mailbox (admins only, development only): mail kept instead of sent while no SMTP server is configured. Views are audited. */
import { z } from "zod";
import { envVar } from "~/env";
import { adminProcedure, createTRPCRouter } from "~/server/api/trpc";
import { writeAudit } from "~/server/audit/write-audit";
import { devMailboxDir, devMailSchema, listDevMail } from "~/server/mail/dev-mailbox";
import { usesDevMailbox } from "~/server/mail/mailer";

export const mailboxRouter = createTRPCRouter({
  list: adminProcedure
    .output(z.object({ inUse: z.boolean(), messages: z.array(devMailSchema) }))
    .query(async ({ ctx }) => {
      const messages = await listDevMail(devMailboxDir(envVar("DATA_DIR")));
      await writeAudit(ctx.db, { action: "admin.mailbox.view", outcome: "SUCCESS", actorId: ctx.user.id, meta: ctx.meta, details: { messages: messages.length } });
      return { inUse: usesDevMailbox(), messages };
    }),
});
