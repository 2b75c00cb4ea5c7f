import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Compiles the app as `npm start` runs it (`dist/`), unless `dist/` is newer than every
 * source file (`npm ci` has just built it through `prepare`). Returns whether it built.
 */
export function buildApp(root: string): boolean {
  const fresh =
    existsSync(join(root, "dist/src/main.js")) &&
    newestMtime(join(root, "dist/src")) >= newestMtime(join(root, "src"));
  if (fresh) return false;
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: root,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`the app does not compile:\n${result.stdout}${result.stderr}`);
  }
  return true;
}
