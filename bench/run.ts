/**
 * `npm run bench -- <name> [args]`: runs bench/<name>.ts, which measures datatailor and its
 * peer on the same input in one run and prints both figures and their ratio.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .map((f) => f.slice(0, -3))
  .sort();
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name> [args]\navailable: ${available.join(", ")}\n`);
  process.exit(name ? 2 : 0);
}
process.argv = [process.argv[0], path.join(here, name + ".ts"), ...rest];
await import(pathToFileURL(path.join(here, name + ".ts")).href);
