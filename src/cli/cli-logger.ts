import type { Writable } from "node:stream";
import type { EngineLog } from "../backfill/index.js";

function detail(obj: Record<string, unknown>): string {
  const err = obj.err ?? obj.error;
  if (err instanceof Error) return `: ${err.message}`;
  return typeof err === "string" ? `: ${err}` : "";
}

/**
 * The terminal shows the progress itself: the engine's chatter stays quiet, its warnings
 * and errors go to stderr as one line each.
 */
export function cliLogger(stderr: Writable): EngineLog {
  return {
    debug() {},
    info() {},
    warn: (obj, msg) => stderr.write(`warning: ${msg}${detail(obj)}\n`),
    error: (obj, msg) => stderr.write(`error: ${msg}${detail(obj)}\n`),
  };
}
