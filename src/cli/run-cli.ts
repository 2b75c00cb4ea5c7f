import { Command, CommanderError } from "commander";
import { type EngineFactory, backfillCommand } from "./backfill-command.js";
import { CliError, type CliIo, UsageError, writeLine } from "./cli-io.js";
import { coverageCommand } from "./coverage-command.js";
import { metricsCommand } from "./metrics-command.js";
import { migrateCommand } from "./migrate-command.js";
import { statusCommand } from "./status-command.js";

export interface CliDeps {
  createEngine: EngineFactory;
  /** End of the metrics windows (tests); default the present. */
  now?: Date;
}

const WORKSPACES_HELP = `
Workspaces: a run belongs to a workspace (a GitHub App installation), one run at a time.
backfill uses the installation that already holds every named repository, so the run
shows on its tracking issue; otherwise the operator's own workspace, installation id 0,
created on first use. --workspace ID picks one (0 = the operator's).

Configuration is the app's own (DATABASE_URL or DATA_DIR, GH_DATPIPE_API_URL,
GH_DATPIPE_KEY, BACKFILL_*), read from the environment.

Exit codes: 0 success, 1 failure (a repository failed, a database or configuration
error), 2 bad arguments.`;

/** Builds the command tree; each action calls one command function and records its code. */
function buildProgram(io: CliIo, deps: CliDeps, setCode: (code: number) => void): Command {
  const program = new Command("workspace-backfill")
    .description("Back-fill star and fork history through gh-datapipe, and inspect it")
    .exitOverride()
    .addHelpText("after", WORKSPACES_HELP);
  const days = "<n>";

  program
    .command("backfill")
    .description("run a back-fill of the repositories through gh-datapipe and follow it")
    .argument("<owner/repo...>", "repositories, as owner/name")
    .option(
      "--days <n>",
      "days of history (default BACKFILL_DEFAULT_DAYS, at most BACKFILL_MAX_DAYS)",
    )
    .option(
      "--workspace <id>",
      "installation id of the workspace the run belongs to (0 = operator)",
    )
    .addHelpText("after", WORKSPACES_HELP)
    .action(async (repositories: string[], options: { days?: string; workspace?: string }) => {
      setCode(await backfillCommand(io, { repositories, ...options }, deps.createEngine));
    });

  program
    .command("status")
    .description("print the latest runs and their repositories")
    .option("--workspace <id>", "only this workspace (installation id)")
    .option("--limit <n>", "how many runs", "5")
    .action(async (options: { workspace?: string; limit?: string }) => {
      setCode(await statusCommand(io, options));
    });

  program
    .command("metrics")
    .description("stars and forks per day against the previous window")
    .argument("<owner/repo...>", "repositories, as owner/name")
    .option(`--days ${days}`, "window length in days, 1-365", "30")
    .option("--json", "print the metrics as JSON")
    .action(async (repositories: string[], options: { days?: string; json?: boolean }) => {
      setCode(await metricsCommand(io, { repositories, ...options }, deps.now));
    });

  program
    .command("coverage")
    .description("what history each repository has, and which need a back-fill")
    .argument("<owner/repo...>", "repositories, as owner/name")
    .action(async (repositories: string[]) => {
      setCode(await coverageCommand(io, { repositories }, deps.now));
    });

  program
    .command("migrate")
    .description("apply pending database migrations")
    .action(async () => {
      setCode(await migrateCommand(io));
    });

  for (const command of [program, ...program.commands]) {
    command.exitOverride().configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (message, write) => write(`${message.trimEnd()}\n${usageOf(command)}`),
    });
  }
  return program;
}

/** The usage line and where the rest is, printed after a usage error. */
function usageOf(command: Command): string {
  const parent = command.parent ? `${command.parent.name()} ` : "";
  const path = `${parent}${command.name()}`;
  return `Usage: ${path} ${command.usage()}\nRun '${path} --help' for more.\n`;
}

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo, deps: CliDeps): Promise<number> {
  let code = 0;
  const program = buildProgram(io, deps, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version asked for are successes; everything else commander rejects is
      // a usage error, already printed with the usage.
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return 0;
      return 2;
    }
    if (err instanceof UsageError) {
      const command = program.commands.find((c) => c.name() === argv[0]) ?? program;
      io.stderr.write(`error: ${err.message}\n${usageOf(command)}`);
      return 2;
    }
    if (err instanceof CliError) {
      writeLine(io.stderr, `error: ${err.message}`);
      return 1;
    }
    writeLine(io.stderr, `error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
