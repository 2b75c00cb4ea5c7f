export {
  getWorkspace,
  listRepositories,
  type Workspace,
  type WorkspaceRepository,
} from "./read-workspace.js";
export { recordDelivery } from "./record-delivery.js";
export { type SyncResult, syncWorkspace } from "./sync-workspace.js";
export {
  claimTrackingIssue,
  ensureOperatorWorkspace,
  releaseTrackingClaim,
  saveTrackingIssue,
} from "./workspace-store.js";
