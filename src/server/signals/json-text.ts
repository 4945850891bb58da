/** Reading alert JSON exactly: numbers a float would change kept as their text, and nesting bounded without recursion. */

// A string, or a number outside one (JSON has no other digits). Linear on valid JSON, the only input it gets.
const JSON_STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * JSON.parse reads numbers as floats: "quantity": 0.123456789012345678 arrives as 0.12345678901234568.
 * Numbers a float would change are quoted before parsing, so every amount and price is exactly the
 * text sent (the fields accept numeric strings). Most bodies have none and are returned as they are.
 * Runs before the webhook token is checked, so it is plain string work: ~1 ms for 64 KB of numbers.
 */
export function quoteInexactNumbers(json: string): string {
  return json.replace(JSON_STRING_OR_NUMBER, (token) => {
    if (token.startsWith('"')) return token;
    const float = Number(token);
    const shortest = String(float);
    if (shortest === token) return token;
    // Out-of-range tokens (1e400 is Infinity) are quoted too: the field then says they are too large.
    return Number.isFinite(float) && digitsAndExponent(shortest) === digitsAndExponent(token) ? token : `"${token}"`;
  });
}

/** A JSON number's value as "<sign><digits>e<exponent>" with no leading or trailing zeros: "0.0150" and "1.5e-2" are both "15e-1". */
function digitsAndExponent(token: string): string {
  const e = token.search(/e/i);
  let mantissa = e < 0 ? token : token.slice(0, e);
  const sign = mantissa.startsWith("-") ? "-" : "";
  if (sign) mantissa = mantissa.slice(1);
  const dot = mantissa.indexOf(".");
  const all = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const first = all.search(/[1-9]/);
  if (first < 0) return "0";
  const digits = all.slice(first).replace(/0+$/, "");
  // The exponent of the first significant digit: where the point is, less the zeros before that digit.
  const exponent = (e < 0 ? 0 : Number(token.slice(e + 1))) + (dot < 0 ? mantissa.length : dot) - first - 1;
  return `${sign}${digits}e${exponent}`;
}

/** Iterative, so a 64 KB "[[[[..." cannot overflow the stack. */
export function depthOver(root: object, limit: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [value, depth] = next;
    if (typeof value !== "object" || value === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}
