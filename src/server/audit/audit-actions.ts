/**
 * Every action the audit log records, as one typed list (documenso's audit-log enum): a writer
 * cannot invent a spelling, and the admin filter can offer the list. Add new actions here.
 */
import { z } from "zod";

export const AUDIT_ACTIONS = [
  // accounts and sessions
  "auth.sign_up",
  "auth.sign_in",
  "auth.sign_out",
  "auth.bearer",
  "auth.denied",
  "user.create_cli",
  "user.update_cli",
  "user.trading_mode",
  // account security (email, password, sessions, 2FA)
  "auth.email_verify",
  "auth.password_change",
  "auth.password_reset_request",
  "auth.password_reset",
  "auth.session_revoke",
  "auth.step_up",
  "auth.second_factor",
  "auth.two_factor_enable",
  "auth.two_factor_disable",
  "auth.recovery_codes",
  "user.admin_grant",
  // exchange keys and the vault
  "key.save",
  "key.verify",
  "key.delete",
  "key.auto_disable",
  "vault.rotate",
  // API tokens
  "api_token.create",
  "api_token.revoke",
  // strategies and subscriptions
  "strategy.create",
  "strategy.update",
  "strategy.rotate_token",
  "strategy.enable",
  "strategy.disable",
  "strategy.archive",
  "strategy.test_alert",
  "subscription.save",
  "subscription.pause",
  "subscription.resume",
  "subscription.delete",
  // notification channels (email, Telegram, outgoing webhooks)
  "notification.channel_add",
  "notification.channel_update",
  "notification.channel_remove",
  // the engine and positions
  "order.place",
  "position.close",
  "position.drift",
  "protection.place",
  "protection.fill",
  "protection.cancel",
  // the satisfaction prompt (details hold the score and the comment's length, never its text)
  "satisfaction.answer",
  "satisfaction.dismiss",
  // operator halts of live trading (platform, one exchange, one strategy)
  "trading.halt",
  "trading.resume",
  // the admin console
  "admin.audit.view",
  "admin.audit.detail",
  "admin.audit.verify",
  "admin.audit.export",
  "admin.users.view",
  "admin.user.tier",
  "admin.user.disable",
  "admin.user.enable",
  "admin.metrics.view",
  "admin.mailbox.view",
  // live-trading cohorts: who may switch to PERSONAL (src/server/cohorts)
  "cohort.update",
  "cohort.user_access",
  "cohort.request",
  "cohort.decide",
] as const;

export const auditActionSchema = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof auditActionSchema>;

export const AUDIT_OUTCOMES = ["SUCCESS", "FAILURE", "DENIED"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
