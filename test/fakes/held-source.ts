import type { BackfillSource, JobState } from "../../src/backfill/index.js";
import type { Queryable } from "../../src/db/index.js";
import { syntheticEventsWriter } from "./fake-datapipe.js";

/** How a held job ends: completed with `rows` events written, or failed with `error`. */
export type JobEnd = { status: "completed"; rows?: number } | { status: "failed"; error: string };

export interface HeldSource extends BackfillSource {
  /**
   * Ends the repository's open job on its next poll, or the next job it is triggered with.
   * Until then every job reads `running`.
   */
  end(repository: string, end: JobEnd): void;
  /** The repositories triggered so far, in order. */
  readonly triggered: string[];
}

/**
 * A back-fill source in-process whose jobs run until the test ends them, for tests that
 * drive the real engine step by step. A completed job writes its events into
 * `github_events_cache` as gh-datapipe does, as `PushEvent`s: counted as events found,
 * left out of the star and fork figures the tests assert.
 */
export function createHeldSource(db: Queryable): HeldSource {
  const write = syntheticEventsWriter(db, { eventTypes: ["PushEvent"] });
  const jobs = new Map<string, { repository: string; days: number; end: JobEnd | null }>();
  const nextEnds = new Map<string, JobEnd>();
  const triggered: string[] = [];
  let ids = 0;
  return {
    triggered,
    async trigger(repository, days) {
      const jobId = `held-${++ids}`;
      triggered.push(repository);
      jobs.set(jobId, { repository, days, end: nextEnds.get(repository) ?? null });
      nextEnds.delete(repository);
      return { jobId, status: "queued" };
    },
    async status(jobId): Promise<JobState> {
      const job = jobs.get(jobId);
      if (!job?.end) return { status: "running", progress: null, error: null };
      if (job.end.status === "failed") {
        return { status: "failed", progress: null, error: job.end.error };
      }
      await write({ jobId, repository: job.repository, days: job.days, rows: job.end.rows });
      return { status: "completed", progress: 100, error: null };
    },
    async cancel(jobId) {
      jobs.delete(jobId);
    },
    end(repository, end) {
      const open = [...jobs.values()].find((j) => j.repository === repository && !j.end);
      if (open) open.end = end;
      else nextEnds.set(repository, end);
    },
  };
}
