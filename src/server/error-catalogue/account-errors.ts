/**
 * The catalogue's account part: every way sign-in refuses (auth/sign-in.ts SignInRefusal, plus the
 * sign-in rate limit), the links mailed for verification and reset, and every error code the API
 * answers with (errors.ts AppErrorCode), so a script author can look up any answer. The sign-in
 * form's messages are drawn from here.
 */
import { anchorOf } from "~/server/error-catalogue/anchor";
import type { CatalogueEntry } from "~/server/error-catalogue/catalogue-entry";
import type { SignInRefusal } from "~/server/auth/sign-in";
import type { AppErrorCode } from "~/server/errors";

const SIGN_IN = "The sign-in page";
const SECURITY = "Settings → Security";

type AccountEntry = CatalogueEntry & { message: string };

/** By the sign-in refusal (the "Too many" ones carry their wait, so their words are written where it is known). */
export const SIGN_IN_ENTRIES: Record<SignInRefusal | "rate_limited", AccountEntry> = {
  bad_credentials: {
    code: "ACCOUNT_BAD_CREDENTIALS",
    title: "Email or password is incorrect",
    message: "Email or password is incorrect.",
    cause: "The email has no account, or the password is not its password. The form says the same in both cases, so it cannot be used to find out who has an account.",
    fix: "Check the email for typos and the keyboard's caps lock, or reset the password with \"Forgot your password?\".",
    where: SIGN_IN,
  },
  email_not_verified: {
    code: "ACCOUNT_EMAIL_NOT_VERIFIED",
    title: "Confirm your email address first",
    message: "Confirm your email address first: we have emailed you a link. Open it to finish signing in.",
    cause: "New accounts confirm their email address before the first sign-in; a new link is emailed each time you try.",
    fix: "Open the newest confirmation email (check spam) and its link. An expired link sends a fresh one when opened.",
    where: "Your mailbox, then the sign-in page",
  },
  second_factor_required: {
    code: "ACCOUNT_2FA_REQUIRED",
    title: "Enter your two-factor code",
    message: "Two-factor authentication is on: enter the code from your authenticator app.",
    cause: "The password was right and the account has two-factor authentication on, so a code is asked for next.",
    fix: "Enter the 6-digit code your authenticator app shows now, or one of your recovery codes.",
    where: SIGN_IN,
  },
  second_factor_invalid: {
    code: "ACCOUNT_2FA_INVALID",
    title: "The two-factor code is not valid",
    message: "That code is not valid. Enter the current code from your authenticator app, or an unused recovery code.",
    cause: "The code is not the one your authenticator shows now (codes change every 30 seconds; the phone's clock may be off), or the recovery code was already used.",
    fix: "Enter the current code (set your phone's time to automatic), or an unused recovery code. Keep the recovery codes somewhere safe: without the device and the codes the second step cannot be passed; contact the platform's operator.",
    where: SIGN_IN,
  },
  second_factor_rate_limited: {
    code: "ACCOUNT_2FA_RATE_LIMITED",
    title: "Too many two-factor attempts",
    message: "Too many two-factor attempts. Try again later.",
    cause: "Several wrong codes in a row lock the second step for a while, so a code cannot be guessed.",
    fix: "Wait the time the message gives, then enter the current code.",
    where: SIGN_IN,
  },
  rate_limited: {
    code: "ACCOUNT_SIGN_IN_RATE_LIMITED",
    title: "Too many sign-in attempts",
    message: "Too many sign-in attempts. Try again later.",
    cause: "More than 10 failed sign-ins for one account from your address, or 50 from your network, in 15 minutes pause sign-in there, against password guessing.",
    fix: "Wait the time the message gives. If you forgot the password, use \"Forgot your password?\" instead of guessing.",
    where: SIGN_IN,
  },
};

export const LINK_ENTRIES = {
  RESET_LINK_INVALID: {
    code: "ACCOUNT_RESET_LINK_INVALID",
    title: "The password reset link has expired or was used",
    cause: "Reset links work once and for a limited time; a newer reset request also replaces the older link.",
    fix: "Ask for a new one on the sign-in page (Forgot your password?) and use the newest email.",
    where: SIGN_IN,
  },
  SESSION_ENDED: {
    code: "ACCOUNT_SESSION_ENDED",
    title: "Your session has ended",
    cause: "You signed out, changed or reset your password, used \"sign out everywhere\", or the session reached its maximum age; every session of the account ends then.",
    fix: "Sign in again.",
    where: SIGN_IN,
  },
  STEP_UP: {
    code: "ACCOUNT_STEP_UP",
    title: "Confirm it's you",
    cause: "Actions that move money or change security (keys, going live, 2FA, API tokens) ask for your password or a two-factor code when you have not confirmed one recently.",
    fix: "Enter your password or a current two-factor code in the box that appears, then try again.",
    where: SECURITY,
  },
} as const satisfies Record<string, CatalogueEntry>;

/** What the REST API (and tRPC) answers, by the app's error code; the HTTP status is the one the API sends. */
export const API_ENTRIES: Record<AppErrorCode, CatalogueEntry> = {
  BAD_INPUT: { code: "API_BAD_INPUT", title: "400: the input is not valid", cause: "A field is missing, of the wrong type or out of range.", fix: "Read fieldErrors in the answer: it names each field and what it expects.", where: "The API's answer (REST: error.fieldErrors)" },
  UNAUTHORIZED: { code: "API_UNAUTHORIZED", title: "401: not signed in, or the token is not valid", cause: "No session or bearer token, or the token expired or was revoked.", fix: "Sign in again, or create a new API token in Settings → API tokens and send it as Authorization: Bearer <token>.", where: "Settings → API tokens" },
  FORBIDDEN: { code: "API_FORBIDDEN", title: "403: not allowed", cause: "The action needs a right the account does not have (an admin action, or live trading outside the open cohort).", fix: "Ask an admin; for live trading, Settings → Trading mode says why and offers \"Ask for access\".", where: "Settings → Trading mode" },
  STEP_UP_REQUIRED: { code: "API_STEP_UP_REQUIRED", title: "403: confirm it's you first", cause: "The action moves money or changes security and needs a recent password or 2FA confirmation.", fix: "Confirm with your password or a 2FA code, then retry (see ACCOUNT_STEP_UP).", where: SECURITY },
  NOT_FOUND: { code: "API_NOT_FOUND", title: "404: no such thing", cause: "The id does not exist, or it belongs to another user (the answer does not say which).", fix: "List your own items first and use their ids.", where: "The API's answer" },
  CONFLICT: { code: "API_CONFLICT", title: "409: not possible in the current state", cause: "The action conflicts with the current state (e.g. PERSONAL mode without an ACTIVE key, 2FA already on, a halt already in force); the message says which.", fix: "Do what the message asks first, then retry.", where: "The API's answer" },
  RATE_LIMITED: { code: "API_RATE_LIMITED", title: "429: too many requests", cause: "Too many requests of this kind in a short time.", fix: "Wait for the Retry-After header's seconds, then retry.", where: "The API's answer (Retry-After header)" },
  PAYLOAD_TOO_LARGE: { code: "API_PAYLOAD_TOO_LARGE", title: "413: the body is too large", cause: "Request bodies are limited to 64 KB.", fix: "Send only the fields the endpoint reads.", where: "The API's answer" },
  UNSUPPORTED_MEDIA_TYPE: { code: "API_UNSUPPORTED_MEDIA_TYPE", title: "415: the content type is not accepted", cause: "The body was not sent as JSON.", fix: "Send Content-Type: application/json.", where: "The API's answer" },
  METHOD_NOT_ALLOWED: { code: "API_METHOD_NOT_ALLOWED", title: "405: wrong method", cause: "The path exists but not with this HTTP method.", fix: "Check the method in the OpenAPI document (/api/user-api-keys/openapi.json).", where: "The OpenAPI document" },
  VAULT_OPEN_FAILED: { code: "API_VAULT_OPEN_FAILED", title: "422: the stored key's secret cannot be opened", cause: "The key was sealed with an encryption key the server no longer has (see KEY_VAULT).", fix: "Enter the key and its secret again on the Keys page.", where: "Keys page" },
  VAULT_KEY_MISSING: { code: "API_VAULT_KEY_MISSING", title: "503: the server has no encryption key", cause: "The operator has not configured ENCRYPTION_KEY (or KEYRING), so keys cannot be sealed or opened.", fix: "Operators: set the encryption key as the README's Configuration section says, then restart.", where: "Server configuration (operators)" },
  CONFIG: { code: "API_CONFIG", title: "503: the server is not configured for this", cause: "A setting this action needs is missing or invalid (mail transport, URLs); the message names it.", fix: "Operators: set the named variable and restart.", where: "Server configuration (operators)" },
  EXCHANGE: { code: "API_EXCHANGE", title: "502: the exchange failed or refused", cause: "The call reached the exchange and it refused or failed; details name the kind (see Exchange errors above).", fix: "Follow the entry of the kind the answer gives.", where: "The API's answer (details.kind)" },
  INTERNAL: { code: "API_INTERNAL", title: "500: something went wrong on our side", cause: "A bug or an outage; the answer carries no details on purpose and the server logged it.", fix: "Retry later; if it persists, tell the operator the time it happened.", where: "Server logs (operators)" },
};

/** The help path of an API answer's error code, as REST error bodies carry it ("/help/troubleshooting#api-bad-input"). */
export function apiHelpPath(code: AppErrorCode): string {
  return `/help/troubleshooting#${anchorOf(API_ENTRIES[code].code)}`;
}
