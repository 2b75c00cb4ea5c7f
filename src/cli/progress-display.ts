import cliProgress from "cli-progress";
import type { ItemSnapshot, RunSnapshot } from "../backfill/types.js";
import { type CliIo, writeLine } from "./cli-io.js";
import { formatCount } from "./format-table.js";

export interface ProgressDisplay {
  /** Shows the run's latest state; repositories that changed status get a line. */
  update(run: RunSnapshot): void;
  stop(): void;
}

function itemLine(run: RunSnapshot, item: ItemSnapshot): string {
  const where = `[${run.done}/${run.total}] ${item.fullName}`;
  if (item.status === "completed") {
    const found = [];
    if (item.eventsFound !== null) found.push(`${formatCount(item.eventsFound)} events`);
    if (item.github?.status === "completed") {
      found.push(
        `${formatCount(item.github.stars)} stars, ${formatCount(item.github.forks)} forks`,
      );
    }
    return `${where} completed: ${found.join("; ")}`;
  }
  if (item.status === "failed") return `${where} failed: ${item.error ?? "unknown error"}`;
  return `${where} ${item.status}`;
}

/**
 * A progress bar on a terminal (cli-progress), else one plain line per repository status
 * change, so logs and pipes get something readable.
 */
export function createProgressDisplay(io: CliIo): ProgressDisplay {
  const seen = new Map<number, string>();
  const changed = (run: RunSnapshot) =>
    run.items.filter((item) => {
      if (seen.get(item.id) === item.status) return false;
      seen.set(item.id, item.status);
      // Pending is where every repository starts: not news.
      return item.status !== "pending";
    });

  if (!io.stdout.isTTY) {
    return {
      update(run) {
        for (const item of changed(run)) writeLine(io.stdout, itemLine(run, item));
      },
      stop() {},
    };
  }

  const bars = new cliProgress.MultiBar(
    {
      stream: io.stdout,
      format: " {bar} {percentage}% | {value}/{total} repositories | {current}",
      hideCursor: true,
      clearOnComplete: true,
      // A pipe-less TTY is still a TTY in CI logs: redraw at most 5 times a second.
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(run) {
      bar ??= bars.create(run.total, 0, { current: "" });
      for (const item of changed(run)) {
        if (item.status !== "processing") bars.log(`${itemLine(run, item)}\n`);
      }
      const current = run.items.find((i) => i.status === "processing");
      bar.setTotal(run.total);
      bar.update(run.done, {
        current: current ? `${current.fullName} ${current.progress ?? 0}%` : "",
      });
    },
    stop() {
      // Logged lines wait for the next redraw: draw once more so none is lost.
      bars.update();
      bars.stop();
    },
  };
}
