import type { Queryable } from "../db/index.js";
import { foldMetrics, readWatermark } from "./fold-metrics.js";
import { type MetricsRow, type MetricsTarget, queryMetrics } from "./query-metrics.js";
import type { WindowPlan } from "./split-window.js";

/** A tail this long costs more to read on every answer than to fold once. */
const FOLD_BEFORE_ANSWER_ROWS = 20_000;

/** The watermark and tail size the last answer on this database saw. */
const seen = new WeakMap<object, { mark: string; tailRows: number }>();

/** Runs the statement with the watermark last seen; folds first when the tail was big. */
export async function queryWithTail(
  db: Queryable,
  target: MetricsTarget,
  plan: WindowPlan,
  uniqueActors: boolean,
): Promise<MetricsRow[]> {
  let known = seen.get(db);
  if (known === undefined || known.tailRows > FOLD_BEFORE_ANSWER_ROWS) {
    if (known !== undefined) await foldMetrics(db);
    known = { mark: await readWatermark(db), tailRows: 0 };
  }
  for (;;) {
    const rows = await queryMetrics(db, target, plan, uniqueActors, known.mark);
    const all = rows.find((r) => r.grain === "all");
    const mark: string = all?.watermark ?? known.mark;
    // A watermark below the one passed (the tables were emptied) would hide tail rows.
    if (BigInt(mark) < BigInt(known.mark)) {
      known = { mark, tailRows: 0 };
      continue;
    }
    seen.set(db, { mark, tailRows: all?.tail_rows ?? 0 });
    return rows;
  }
}
