export { type CallPolicy, callDefaults, createCaller, rateLimitWaitMs } from "./call-github.js";
export {
  createHistoryReader,
  type HistoryRead,
  type HistoryReader,
  type HistoryReaderDeps,
  type HistoryWindow,
} from "./create-history-reader.js";
export {
  createLiveRefresh,
  type LiveRefresh,
  type LiveRefreshDeps,
} from "./create-live-refresh.js";
export type { GitHubRequest, GitHubRequestFor, GitHubResponse } from "./github-request.js";
export { HistoryError } from "./history-error.js";
export {
  DOCUMENTED_ADDITIONS,
  HISTORY_ROUTES,
  STAR_HISTORY_API_VERSION,
} from "./history-routes.js";
export type { RefreshRequest } from "./refresh-queue.js";
export { loadCoverage, storeHistory } from "./store-history.js";
