import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * `npm run bench`: every `bench/*.ts` in its own process, one after the other, so one
 * bench's load does not skew another's figures. Each prints one line per figure.
 */
const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "index.ts")
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

let failed = 0;
for (const bench of benches) {
  console.log(`== ${bench}`);
  const result = spawnSync(process.execPath, ["--import", "tsx", `${dir}/${bench}`], {
    stdio: "inherit",
    env: process.env,
  });
  if (result.status !== 0) {
    failed++;
    console.log(`${bench}: failed (exit ${result.status ?? result.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
