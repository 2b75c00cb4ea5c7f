/** The logging the engine needs; Probot's (pino) logger fits it. */
export interface EngineLog {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** A logger that drops everything (benches, the CLI's quiet mode). */
export const silentLog: EngineLog = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
