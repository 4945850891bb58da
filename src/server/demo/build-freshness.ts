/**
 * Whether `.next` was built from the sources as they are now, so `npm run demo` builds only when
 * something changed: the build's BUILD_ID must be newer than every file that goes into a build.
 */
import fs from "node:fs";
import path from "node:path";

/** What `next build` reads, relative to the project root (missing ones are skipped). */
export const BUILD_INPUTS = ["src", "public", "package.json", "package-lock.json", "next.config.js", "tsconfig.json", "postcss.config.mjs", "prisma/schema.prisma"];

/** The newest modification time (ms) of a file or of any file under a directory; 0 when it does not exist. */
export function newestMtime(p: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted file changes its directory's mtime
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** Why a build is needed ("no build yet", "src changed since the build"), or null when `.next` is current. */
export function staleBuildReason(root: string, inputs: readonly string[] = BUILD_INPUTS): string | null {
  const buildId = path.join(root, ".next", "BUILD_ID");
  let builtAt: number;
  try {
    builtAt = fs.statSync(buildId).mtimeMs;
  } catch {
    return "no build yet";
  }
  const changed = inputs.find((i) => newestMtime(path.join(root, i)) > builtAt);
  return changed ? `${changed} changed since the last build` : null;
}
