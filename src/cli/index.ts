export { runCli, type CliDeps } from "./run-cli.js";
export type { CliIo } from "./cli-io.js";
