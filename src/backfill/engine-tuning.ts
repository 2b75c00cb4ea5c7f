import { datapipeDefaults } from "./datapipe-client.js";

/** Knobs below the contract's variables; the defaults suit production, tests shorten them. */
export interface EngineTuning {
  /**
   * How long a claim holds without renewal. A worker whose process or session ended loses
   * its items at once (its presence lock is free); the lease is for a stalled living one.
   */
  leaseMs: number;
  /** Longest sleep when idle: how soon runs requested on another replica are picked up. */
  idleMs: number;
  /** Limit of one gh-datapipe call. */
  requestTimeoutMs: number;
  /** Further attempts of a gh-datapipe call after a transient failure. */
  retries: number;
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
  maxRetryAfterMs: number;
}

export const engineDefaults: EngineTuning = {
  leaseMs: 30_000,
  idleMs: 1_000,
  requestTimeoutMs: datapipeDefaults.timeoutMs,
  retries: datapipeDefaults.retries,
  minRetryDelayMs: datapipeDefaults.minRetryDelayMs,
  maxRetryDelayMs: datapipeDefaults.maxRetryDelayMs,
  maxRetryAfterMs: datapipeDefaults.maxRetryAfterMs,
};
