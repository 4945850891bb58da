/** `npm run docs:users`: writes docs/users.md from the user guides (src/server/help). */
import fs from "node:fs";
import path from "node:path";
import { renderUsersGuide } from "~/server/help/render-markdown";

const file = path.resolve(import.meta.dirname, "../docs/users.md");
fs.writeFileSync(file, renderUsersGuide());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
