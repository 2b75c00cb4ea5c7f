export { createScheduler, type Scheduler, type SchedulerDeps } from "./create-scheduler.js";
export type { FireDeps, Firing } from "./fire-due-schedules.js";
export { nextDue, scheduleKey } from "./next-due.js";
export {
  type FiringOutcome,
  loadScheduleView,
  type ScheduleView,
  syncSchedule,
} from "./schedule-store.js";
export {
  claimBadVersion,
  loadSettings,
  releaseBadVersion,
  type SettingsSource,
  type StoredSettings,
  saveSettings,
} from "./settings-store.js";
export {
  isExcluded,
  parseWorkspaceSettings,
  SETTINGS_FILE,
  SETTINGS_KEYS,
  SETTINGS_PATH,
  type SettingsParse,
  type SettingsProblem,
  scheduledDays,
  type WorkspaceSettings,
} from "./workspace-settings.js";
