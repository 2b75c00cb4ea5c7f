import { CliError, type CliIo, UsageError, writeLine } from "./cli-io.js";
import { formatCount, formatTable } from "./format-table.js";
import { type ListedRun, listRuns, workspaceExists } from "./list-runs.js";
import { openCliContext } from "./open-cli-context.js";
import { parseWorkspaceId } from "./parse-cli-arguments.js";

export interface StatusInput {
  workspace?: string | undefined;
  limit?: string | undefined;
}

/** `workspace-backfill status`: the latest runs with their repositories. */
export async function statusCommand(io: CliIo, input: StatusInput): Promise<number> {
  const installationId =
    input.workspace === undefined ? undefined : parseWorkspaceId(input.workspace);
  const limit = input.limit === undefined ? 5 : Number(input.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new UsageError(`--limit must be a whole number from 1 to 1000, not "${input.limit}"`);
  }
  const context = await openCliContext(io);
  try {
    if (installationId !== undefined && !(await workspaceExists(context.db, installationId))) {
      throw new CliError(`Workspace ${installationId} is not known`);
    }
    const runs = await listRuns(context.db, { installationId, limit });
    if (runs.length === 0) {
      writeLine(
        io.stdout,
        installationId === undefined
          ? "No back-fill runs yet."
          : `No back-fill runs yet in workspace ${installationId}.`,
      );
      return 0;
    }
    writeLine(io.stdout, runs.map(formatRun).join("\n\n"));
    return 0;
  } finally {
    await context.close();
  }
}

const time = (d: Date) => `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;

export function formatRun(run: ListedRun): string {
  const count = (status: string) => run.items.filter((i) => i.status === status).length;
  const done = run.items.length - count("pending") - count("processing");
  const who = run.requestedBy ? ` by ${run.requestedBy}` : "";
  const header = [
    `Run #${run.id} · workspace ${run.installationId} (${run.accountLogin}) · ${run.status}`,
    `${run.days} days · ${run.source}${who} · created ${time(run.createdAt)}` +
      (run.finishedAt ? ` · finished ${time(run.finishedAt)}` : ""),
    `${done}/${run.items.length} done: ${count("completed")} completed, ${count("failed")} failed, ${count("cancelled")} cancelled`,
  ];
  const table = formatTable(
    ["repository", "status", "events", "error"],
    run.items.map((i) => [i.fullName, i.status, formatCount(i.eventsFound), i.error ?? ""]),
    ["left", "left", "right", "left"],
  );
  return [...header, table.replace(/^/gm, "  ")].join("\n");
}
