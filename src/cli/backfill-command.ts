import type { Engine, EngineDeps, RunSnapshot } from "../backfill/index.js";
import { type CliIo, UsageError, writeLine } from "./cli-io.js";
import { cliLogger } from "./cli-logger.js";
import { formatCount, formatTable } from "./format-table.js";
import { openCliContext, readCliConfig } from "./open-cli-context.js";
import { parseDays, parseRepositories, parseWorkspaceId } from "./parse-cli-arguments.js";
import { createProgressDisplay } from "./progress-display.js";
import { resolveCliWorkspace } from "./resolve-cli-workspace.js";

export type EngineFactory = (deps: EngineDeps) => Engine;

export interface BackfillInput {
  repositories: string[];
  days?: string | undefined;
  workspace?: string | undefined;
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);
/** Another app process may be the one working the run: its state is read this often too. */
const POLL_MS = 500;

/**
 * `workspace-backfill backfill`: one run through gh-datapipe with the app's own engine,
 * followed to its end. Exit code 0 when every repository completed, else 1.
 */
export async function backfillCommand(
  io: CliIo,
  input: BackfillInput,
  createEngine: EngineFactory,
): Promise<number> {
  const config = readCliConfig(io);
  const repositories = parseRepositories(input.repositories);
  if (repositories.length === 0) throw new UsageError("name at least one repository as owner/name");
  const days =
    input.days === undefined
      ? config.BACKFILL_DEFAULT_DAYS
      : parseDays(input.days, config.BACKFILL_MAX_DAYS);
  const requested = input.workspace === undefined ? undefined : parseWorkspaceId(input.workspace);

  const context = await openCliContext(io, config);
  const engine = createEngine({ db: context.db, config, log: cliLogger(io.stderr) });
  let started = false;
  try {
    const workspace = await resolveCliWorkspace(context.db, repositories, requested);
    await engine.start();
    started = true;
    const { run, kind } = await engine.request({
      installationId: workspace.installationId,
      days,
      source: "cli",
      requestedBy: io.env.USER ?? io.env.USERNAME ?? "operator",
      repositories: workspace.repositories,
    });
    if (kind !== "created") {
      writeLine(
        io.stderr,
        `Workspace ${workspace.installationId} already has run #${run.id} in progress (${run.done}/${run.total}); ` +
          "wait for it (workspace-backfill status) or cancel it (/backfill cancel)",
      );
      return 1;
    }
    writeLine(
      io.stdout,
      `Run #${run.id} in workspace ${workspace.installationId}: ${run.total} ${run.total === 1 ? "repository" : "repositories"}, ${days} days`,
    );
    const last = await follow(engine, run, io);
    writeLine(io.stdout);
    writeLine(io.stdout, runTable(last));
    writeLine(io.stdout);
    writeLine(
      io.stdout,
      `Run #${last.id} ${last.status}: ${last.completed} completed, ${last.failed} failed, ${last.cancelled} cancelled`,
    );
    return last.completed === last.total ? 0 : 1;
  } finally {
    if (started) await engine.stop();
    await context.close();
  }
}

/** Resolves with the run's final snapshot, showing progress on the way. */
function follow(engine: Engine, run: RunSnapshot, io: CliIo): Promise<RunSnapshot> {
  const display = createProgressDisplay(io);
  return new Promise<RunSnapshot>((resolve, reject) => {
    let done = false;
    const finish = (snapshot: RunSnapshot) => {
      if (done) return;
      done = true;
      unsubscribe();
      clearInterval(timer);
      display.stop();
      resolve(snapshot);
    };
    const show = (snapshot: RunSnapshot) => {
      if (done) return;
      display.update(snapshot);
      if (TERMINAL.has(snapshot.status)) finish(snapshot);
    };
    const unsubscribe = engine.subscribe((event) => {
      if (event.run.id === run.id) show(event.run);
    });
    const timer = setInterval(() => {
      engine.getRun(run.id).then(
        (snapshot) => snapshot && show(snapshot),
        (err: unknown) => {
          if (done) return;
          done = true;
          unsubscribe();
          clearInterval(timer);
          display.stop();
          reject(err);
        },
      );
    }, POLL_MS);
    show(run);
  });
}

export function runTable(run: RunSnapshot): string {
  return formatTable(
    ["repository", "status", "events", "error"],
    run.items.map((i) => [i.fullName, i.status, formatCount(i.eventsFound), i.error ?? ""]),
    ["left", "left", "right", "left"],
  );
}
