/**
 * The development session secret: generated once into DATA_DIR/auth.secret (mode 0600) so
 * `npm run dev` needs no configuration; never used in production. Shared by the server entry
 * (which creates it) and CLIs that must sign like the server (which only read it).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export function devAuthSecretFile(dataDir: string): string {
  return path.resolve(dataDir, "auth.secret");
}

export function devAuthSecret(dataDir: string, opts: { create: boolean }): string | null {
  const file = devAuthSecretFile(dataDir);
  if (!fs.existsSync(file)) {
    if (!opts.create) return null;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(32).toString("hex"), { mode: 0o600 });
  }
  return fs.readFileSync(file, "utf8").trim();
}
