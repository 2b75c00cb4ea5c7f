import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite does not stop two processes opening one data directory, and two would corrupt
 * it. A pid file taken with O_EXCL guards it; a file left by a dead process is taken over.
 * Returns the release function.
 */
export function lockDataDir(dataDir: string): () => Promise<void> {
  const file = join(dataDir, "app.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      return async () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(readFileSync(file, "utf8"));
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
        throw new Error(
          `The embedded database in ${dataDir} is in use by process ${owner}; set DATABASE_URL to share a database between processes`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not lock the embedded database in ${dataDir}`);
}
