import { setTimeout as sleep } from "node:timers/promises";
import type { Queryable } from "../db/index.js";
import {
  claimReport,
  type ReportSurface,
  releaseReportClaim,
  storedReportId,
  storeReportId,
} from "./run-reports.js";

export type { ReportSurface } from "./run-reports.js";

export interface ClaimTiming {
  /** A claim older than this is taken over: its process died between claim and store. */
  claimTtlMs: number;
  /** How often a process that lost the claim looks for the stored id. */
  pollMs: number;
}

// A claim covers one GitHub call (a comment or a check run created, throttled to a few
// seconds at worst); two minutes is far beyond it and short enough for a crashed process.
export const claimDefaults: ClaimTiming = { claimTtlMs: 120_000, pollMs: 250 };

/**
 * A run's progress comment or check run, created by one process only. Every replica's
 * reporter may hear of a run and starts from its own snapshot of the ids, so the creation
 * is claimed in the run's `run_reports` row first (one statement: concurrent claims queue on the row and
 * one lands); the others wait for the stored id and edit that one. No transaction is held
 * over the GitHub call. `create` may answer null (nothing to create, e.g. a repository
 * without commits): nothing is stored and the claim is let go, as when it fails.
 */
export async function claimReportId(
  db: Queryable,
  runId: number,
  surface: ReportSurface,
  create: () => Promise<number | null>,
  timing: ClaimTiming = claimDefaults,
): Promise<{ id: number | null; created: boolean }> {
  for (;;) {
    const now = await storedReportId(db, runId, surface, timing.claimTtlMs);
    if (now.id !== null) return { id: now.id, created: false };
    if (!now.claimFresh && (await claimReport(db, runId, surface, timing.claimTtlMs))) break;
    await sleep(timing.pollMs);
  }
  let id: number | null;
  try {
    id = await create();
  } catch (err) {
    await releaseReportClaim(db, runId, surface);
    throw err;
  }
  if (id === null) {
    await releaseReportClaim(db, runId, surface);
    return { id: null, created: false };
  }
  await storeReportId(db, runId, surface, id);
  return { id, created: true };
}
