import type { Config } from "../config.js";
import type { Db } from "../db/index.js";
import type { BackfillSource } from "./backfill-source.js";
import type { EngineLog } from "./engine-log.js";
import type { EngineTuning } from "./engine-tuning.js";
import type { HistorySource } from "./history-source.js";

export type EngineConfig = Pick<
  Config,
  | "GH_DATPIPE_API_URL"
  | "GH_DATPIPE_KEY"
  | "BACKFILL_DELAY_MS"
  | "BACKFILL_CONCURRENCY"
  | "BACKFILL_POLL_INTERVAL_MS"
  | "BACKFILL_JOB_TIMEOUT_MS"
> &
  /** Unset: gh-datapipe only, as before GitHub was a source. */
  Partial<Pick<Config, "BACKFILL_SOURCE">>;

/** What `createEngine` is given. */
export interface EngineDeps {
  db: Db;
  config: EngineConfig;
  log: EngineLog;
  /** Names this process in leases; unique per process unless given. */
  workerId?: string;
  fetch?: typeof globalThis.fetch;
  /** Clock for job deadlines and the in-process pause (milliseconds). */
  now?: () => number;
  /** Another back-fill service in place of gh-datapipe. */
  source?: BackfillSource;
  /** GitHub as a source (contract §4b), read with the installation's token. */
  history?: HistorySource;
  tuning?: Partial<EngineTuning>;
}
