/** `npm run docs:troubleshooting`: writes docs/troubleshooting.md from the error catalogue. */
import fs from "node:fs";
import path from "node:path";
import { renderTroubleshooting } from "~/server/error-catalogue/catalogue";

const file = path.resolve(import.meta.dirname, "../docs/troubleshooting.md");
fs.writeFileSync(file, renderTroubleshooting());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
