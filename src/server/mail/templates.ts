/**
 * The emails KeyRelay sends, as plain text plus a minimal HTML twin. Links carry their single-use
 * token in the fragment (#token=...): browsers never send a fragment to the server, so the token
 * stays out of access logs and Referer headers; the page reads it and posts it.
 */
import { envVar } from "~/env";
import type { MailMessage } from "~/server/mail/mailer";

/** An absolute URL on this app (NEXTAUTH_URL, else http://localhost:$PORT). */
export function appUrl(pathAndQuery: string): string {
  const base = envVar("NEXTAUTH_URL") ?? `http://localhost:${envVar("PORT")}`;
  return new URL(pathAndQuery, base).toString();
}

export function linkWithToken(path: string, token: string): string {
  return `${appUrl(path)}#token=${encodeURIComponent(token)}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Paragraphs of text; a paragraph that is a bare URL becomes a link in the HTML twin. */
function compose(kind: MailMessage["kind"], to: string, subject: string, paragraphs: string[]): MailMessage {
  const text = `${paragraphs.join("\n\n")}\n\n-- \nKeyRelay\n`;
  const body = paragraphs
    .map((p) => (/^https?:\/\/\S+$/.test(p) ? `<p><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></p>` : `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`))
    .join("\n");
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${body}<p style="color:#64748b">KeyRelay</p></body></html>`;
  return { kind, to, subject, text, html };
}

export function verifyEmailMessage(to: string, name: string, link: string, hours: number): MailMessage {
  return compose("verify_email", to, "Confirm your email address for KeyRelay", [
    `Hello ${name},`,
    `Confirm that this is your email address to finish creating your KeyRelay account. Open the link below and sign in with the password you chose; the link works once, for ${hours} hours.`,
    link,
    "If you did not create an account, ignore this email: nothing happens without the link.",
  ]);
}

export function accountExistsMessage(to: string, name: string, opts: { verified: boolean; signInUrl: string; resetUrl: string }): MailMessage {
  return compose("account_exists", to, "You already have a KeyRelay account", [
    `Hello ${name},`,
    "Someone (perhaps you) tried to create a KeyRelay account with this email address, but an account already exists for it. No new account was created.",
    opts.verified ? "If it was you, sign in:" : "This account was never confirmed. If it is yours, set a password with the reset page (it also confirms the address):",
    opts.verified ? opts.signInUrl : opts.resetUrl,
    opts.verified ? `Forgot your password? Reset it here: ${opts.resetUrl}` : "If it was not you, ignore this email.",
  ]);
}

export function resetPasswordMessage(to: string, name: string, link: string, minutes: number): MailMessage {
  return compose("reset_password", to, "Reset your KeyRelay password", [
    `Hello ${name},`,
    `Open the link below to choose a new password. It works once, for ${minutes} minutes. Setting a new password signs you out on every device.`,
    link,
    "If you did not ask for this, ignore this email: your password stays as it is.",
  ]);
}

export type SecurityEvent =
  | { kind: "new_sign_in"; ip: string | null; userAgent: string | null }
  | { kind: "password_changed" }
  | { kind: "password_reset" }
  | { kind: "two_factor_enabled" }
  | { kind: "two_factor_disabled" }
  | { kind: "recovery_codes_regenerated" }
  | { kind: "recovery_code_used"; remaining: number }
  | { kind: "api_token_created"; name: string; expiresAt: Date }
  | { kind: "exchange_key_added"; exchange: string; environment: string; apiKeyMasked: string }
  | { kind: "exchange_key_deleted"; exchange: string; environment: string; apiKeyMasked: string };

const SECURITY_SUBJECT: Record<SecurityEvent["kind"], string> = {
  new_sign_in: "New sign-in to your KeyRelay account",
  password_changed: "Your KeyRelay password was changed",
  password_reset: "Your KeyRelay password was reset",
  two_factor_enabled: "Two-factor authentication is on for your KeyRelay account",
  two_factor_disabled: "Two-factor authentication was turned off for your KeyRelay account",
  recovery_codes_regenerated: "New KeyRelay recovery codes were created",
  recovery_code_used: "A KeyRelay recovery code was used",
  api_token_created: "A KeyRelay API token was created",
  exchange_key_added: "An exchange key was added to your KeyRelay account",
  exchange_key_deleted: "An exchange key was deleted from your KeyRelay account",
};

function describe(event: SecurityEvent): string {
  switch (event.kind) {
    case "new_sign_in":
      return `Your account was signed in to from a device or network we have not seen before:\nIP address: ${event.ip ?? "unknown"}\nBrowser: ${event.userAgent ?? "unknown"}`;
    case "password_changed":
      return "Your password was changed. Every other session was signed out.";
    case "password_reset":
      return "Your password was reset with a link sent to this address. Every session was signed out.";
    case "two_factor_enabled":
      return "Two-factor authentication was turned on. Every other session was signed out.";
    case "two_factor_disabled":
      return "Two-factor authentication was turned off. Every other session was signed out.";
    case "recovery_codes_regenerated":
      return "A new set of recovery codes was created; the old codes no longer work.";
    case "recovery_code_used":
      return `A recovery code was used to sign in. ${event.remaining} unused code${event.remaining === 1 ? "" : "s"} left.`;
    case "api_token_created":
      return `An API token named "${event.name}" was created. It can use the REST API as you until ${event.expiresAt.toISOString().slice(0, 10)}.`;
    case "exchange_key_added":
      return `A ${event.exchange} ${event.environment} key (${event.apiKeyMasked}) was saved.`;
    case "exchange_key_deleted":
      return `The ${event.exchange} ${event.environment} key (${event.apiKeyMasked}) was deleted.`;
  }
}

export function securityNoticeMessage(to: string, name: string, event: SecurityEvent, at: Date): MailMessage {
  return compose("security_notice", to, SECURITY_SUBJECT[event.kind], [
    `Hello ${name},`,
    `${describe(event)}\nWhen: ${at.toISOString().replace("T", " ").slice(0, 16)} UTC`,
    "If this was you, there is nothing to do. If not, reset your password now and use \"Sign out everywhere\" in Settings:",
    appUrl("/forgot-password"),
  ]);
}

/** A notification (order failed, key disabled, ...) by email; the settings link turns it off. */
export function notificationMessage(to: string, title: string, text: string): MailMessage {
  return compose("notification", to, `KeyRelay: ${title}`, [text, "All notifications and the delivery log:", appUrl("/notifications"), "Choose what is emailed to you in Settings -> Notifications."]);
}
