export { loadRunEnd, type RunEnd, renderRunEnd } from "./compose-message.js";
export {
  createNotifier,
  type Notifier,
  type NotifierDeps,
  type NotifierTuning,
  notifierDefaults,
} from "./create-notifier.js";
export type { Channel } from "./outbox-store.js";
export { HookError, hookBody, postHook } from "./post-hook.js";
