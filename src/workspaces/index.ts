export { recordDelivery } from "./record-delivery.js";
export { type SyncResult, syncWorkspace } from "./sync-workspace.js";
export {
  getWorkspace,
  listRepositories,
  type Workspace,
  type WorkspaceRepository,
} from "./workspace-store.js";
