/**
 * JSON.parse keeps the last of two equal keys without a word: {"qty": 1, "qty": 100} trades 100.
 * An alert that says one thing twice is refused instead, so this finds the first key repeated within
 * one object, at any depth. One linear pass over text JSON.parse has already accepted, iterative (a
 * deeply nested body cannot overflow the stack); keys compare decoded, so "a" and "\u0061" are equal.
 */

type Frame =
  | { kind: "object"; path: string; keys: Set<string>; lastKey: string | null }
  | { kind: "array"; path: string; index: number };

/** Where a value opened now sits: "order", "legs[2]", or "" at the top. */
function childPath(parent: Frame | undefined): string {
  if (parent === undefined) return "";
  if (parent.kind === "array") return `${parent.path}[${parent.index}]`;
  return parent.path === "" ? (parent.lastKey ?? "") : `${parent.path}.${parent.lastKey ?? ""}`;
}

/** The end index (exclusive) of the JSON string starting at `start` (its opening quote). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i += 2; // backslash: skip the escaped character
    else if (c === 0x22) return i + 1;
    else i += 1;
  }
  return text.length;
}

/**
 * The first duplicated key of valid JSON `text`: `key` as sent and `path` to it ("order.price"),
 * or null when every object's keys are distinct.
 */
export function firstDuplicateKey(text: string): { key: string; path: string } | null {
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (expectKey && top?.kind === "object") {
        const key = JSON.parse(text.slice(i, end)) as string;
        const path = top.path === "" ? key : `${top.path}.${key}`;
        if (top.keys.has(key)) return { key, path };
        top.keys.add(key);
        top.lastKey = key;
        expectKey = false;
      }
      i = end;
      continue;
    }
    if (c === "{") {
      stack.push({ kind: "object", path: childPath(top), keys: new Set(), lastKey: null });
      expectKey = true;
    } else if (c === "[") {
      stack.push({ kind: "array", path: childPath(top), index: 0 });
    } else if (c === "}" || c === "]") {
      stack.pop();
      expectKey = false;
    } else if (c === ",") {
      if (top?.kind === "object") expectKey = true;
      else if (top?.kind === "array") top.index += 1;
    }
    i += 1;
  }
  return null;
}
