import type { Writable } from "node:stream";
import type { Db } from "../db/index.js";

/** Where a CLI command reads its settings and writes its output; tests pass their own. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  /** An open database to use instead of opening one from the configuration (tests). */
  db?: Db;
}

/** A usage mistake: one line and the usage, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A failure the operator can act on: its message alone, exit code 1. */
export class CliError extends Error {
  override name = "CliError";
}

export function writeLine(stream: Writable, line = ""): void {
  stream.write(`${line}\n`);
}
