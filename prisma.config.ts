/**
 * Prisma 7 configuration (schema, migrations, datasource URL for the CLI).
 *
 * The runtime client does not read this file; it gets DATABASE_URL through its driver adapter.
 * DATABASE_URL unset -> embedded PGlite database in `.data/pglite` (see
 * scripts/prisma-schema-engine.mjs for the `postgresql://pglite/<dir>` convention). A fallback is
 * needed because `env("DATABASE_URL")` throws when the variable is unset, which would break
 * `prisma generate` during `npm install`. Prisma 7 does not load `.env` by itself.
 * Run the CLI through `node scripts/prisma.mjs ...` (npm run prisma -- ...): it supplies the
 * offline schema engine.
 */
import path from "node:path";
import { defineConfig } from "prisma/config";

// So that plain `npx prisma ...` works offline too: the CLI reads this variable after loading the
// config, and then uses the wasm stand-in instead of downloading its native schema engine.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve(process.cwd(), "scripts/prisma-schema-engine.mjs");

const DEFAULT_DATABASE_URL = "postgresql://pglite/.data/pglite";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: {
    path: "prisma/migrations",
  },
  datasource: {
    url: process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
    ...(process.env.SHADOW_DATABASE_URL ? { shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL } : {}),
  },
});
