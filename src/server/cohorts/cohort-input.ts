/** What admins, users and the CLI send about cohorts, validated; every error names its field and the fix. */
import { z } from "zod";
import { TIER_VALUES } from "~/server/cohorts/cohort-rules";

const tier = z.enum(TIER_VALUES, { error: `tiers: each must be one of ${TIER_VALUES.join(", ")}` });

/** Everyone, or the listed tiers (none: the beta list only). The beta list may always trade live. */
export const cohortInput = z
  .strictObject(
    {
      everyone: z.boolean({ error: "everyone is required: true (anyone may trade live) or false (only the listed tiers and the beta list)" }),
      tiers: z.array(tier, { error: "tiers must be a list of tiers, e.g. [\"PRO\"]" }).max(TIER_VALUES.length, "tiers: list each tier once").default([]),
    },
    { error: (iss) => (iss.code === "unrecognized_keys" ? `unknown field(s): ${iss.keys.join(", ")}` : undefined) },
  )
  .superRefine((v, ctx) => {
    if (v.everyone && v.tiers.length > 0) ctx.addIssue({ code: "custom", path: ["tiers"], message: "tiers must be empty when everyone is true: pick everyone, or the tiers" });
    if (new Set(v.tiers).size !== v.tiers.length) ctx.addIssue({ code: "custom", path: ["tiers"], message: "tiers: list each tier once" });
  });
export type CohortInput = z.infer<typeof cohortInput>;

const userId = z.string({ error: "userId is required" }).trim().min(1, "userId is required");

export const userAccessInput = z.strictObject({
  userId,
  allowed: z.boolean({ error: "allowed is required: true adds the user to the beta list, false removes them" }),
});

export const requestAccessInput = z.strictObject({
  message: z
    .string({ error: "message must be text" })
    .trim()
    .max(500, "message must be at most 500 characters")
    .optional()
    .transform((v) => (v ? v : null)),
});

export const decideRequestInput = z.strictObject({
  requestId: z.string({ error: "requestId is required" }).trim().min(1, "requestId is required"),
  decision: z.enum(["approve", "refuse"], { error: "decision must be approve or refuse" }),
  note: z
    .string({ error: "note must be text" })
    .trim()
    .max(500, "note must be at most 500 characters")
    .optional()
    .transform((v) => (v ? v : null)),
});

export const REQUEST_STATUSES = ["PENDING", "APPROVED", "REFUSED"] as const;
export const listRequestsInput = z.strictObject({
  status: z.enum(REQUEST_STATUSES, { error: `status must be one of ${REQUEST_STATUSES.join(", ")}` }).default("PENDING"),
  limit: z.number({ error: "limit must be a number" }).int().min(1, "limit must be at least 1").max(200, "limit must be at most 200").default(50),
});
