/**
 * How strong a new password must be: at least 12 characters, and zxcvbn-ts (a well-kept estimator
 * that knows common passwords, names, keyboard walks, dates and l33t) must rate it 3 of 4 or better,
 * taking the account's own email and name into account. Every refusal says what to do instead.
 */
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as en from "@zxcvbn-ts/language-en";

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 200;
export const PASSWORD_MIN_SCORE = 3;
// zxcvbn's matching grows with length; past this, more characters cannot make a password weaker.
const ESTIMATE_CHARS = 100;

let factory: ZxcvbnFactory | undefined;
function estimator(): ZxcvbnFactory {
  // Built on first use: the dictionaries are a few MB.
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  return factory;
}

/** Words from the account (email parts, name) a password should not lean on. */
function personalWords(inputs: readonly (string | null | undefined)[]): string[] {
  return inputs.flatMap((s) => (s ? [s, ...s.toLowerCase().split(/[^a-z0-9]+/)] : [])).filter((w) => w.length >= 3);
}

/** Why this password is refused, with the fix; null when it is good enough. */
export function passwordProblem(password: string, accountWords: readonly (string | null | undefined)[] = []): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return `Use at least ${PASSWORD_MIN_LENGTH} characters for your password: three or four unrelated words make a strong one.`;
  }
  if (password.length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters for your password.`;
  const result = estimator().check(password.slice(0, ESTIMATE_CHARS), personalWords(accountWords));
  if (result.score >= PASSWORD_MIN_SCORE) return null;
  const warning = result.feedback.warning ? ` (${result.feedback.warning.replace(/\.$/, "")})` : "";
  return `This password is too easy to guess${warning}. Add more words that are less common, or use three or four unrelated words.`;
}
