import type { Queryable } from "../db/index.js";
import { changeHeldItem, type ItemChange } from "./item-change.js";
import type { GitHubOutcome } from "./types.js";

/**
 * Keeps GitHub's outcome on the item the moment the read ends, so a restart goes on to
 * gh-datapipe (or ends the item) without reading GitHub again. Null when the item is no
 * longer this worker's.
 */
export function recordGitHubOutcome(
  db: Queryable,
  item: { itemId: number; workerId: string; outcome: GitHubOutcome },
): Promise<ItemChange | null> {
  const { outcome } = item;
  return changeHeldItem(db, {
    set: "github_status = $3::text, stars_found = $4::int, forks_found = $5::int, github_error = $6::text",
    params: [
      item.itemId,
      item.workerId,
      outcome.status,
      outcome.stars,
      outcome.forks,
      outcome.error,
    ],
  });
}
