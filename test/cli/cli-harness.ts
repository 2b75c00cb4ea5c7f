import { Writable } from "node:stream";
import { createEngine } from "../../src/backfill/index.js";
import { runCli } from "../../src/cli/index.js";
import type { Db } from "../../src/db/index.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = "";
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs the CLI in this process on the test's database, capturing what it prints. */
export async function cli(
  argv: string[],
  options: { db: Db; env?: Record<string, string>; tty?: boolean; now?: Date },
): Promise<CliResult> {
  const stdout = new Capture(options.tty ?? false);
  const stderr = new Capture();
  const code = await runCli(
    argv,
    { env: { USER: "ops", ...options.env }, stdout, stderr, db: options.db },
    { createEngine, ...(options.now ? { now: options.now } : {}) },
  );
  return { code, stdout: stdout.text, stderr: stderr.text };
}
