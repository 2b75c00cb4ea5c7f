export interface DashboardSelection {
  /** Ticked repositories as `owner/name`, in the order of the body. */
  repositories: string[];
  backfillSelected: boolean;
}

const TASK = /^\s*[-*+]\s+\[([ xX])\]\s+(.*)$/;
const MARKER = /<!--\s*repo=([^\s>]+)\s*-->/;
const SELECTED_MARKER = /<!--\s*backfill-selected\s*-->/;

/** The task-list boxes of a dashboard body (contract §3): which are ticked. */
export function readDashboardSelection(body: string): DashboardSelection {
  const repositories: string[] = [];
  let backfillSelected = false;
  for (const line of body.split(/\r?\n/)) {
    const m = TASK.exec(line);
    if (!m || m[1] === " ") continue;
    const text = m[2]!;
    const marker = MARKER.exec(text);
    if (marker) {
      repositories.push(marker[1]!);
      continue;
    }
    const plain = text
      .replace(/<!--.*?-->/g, "")
      .replace(/\\(.)/g, "$1")
      .replace(/\*\*|__/g, "")
      .trim();
    if (SELECTED_MARKER.test(text) || /^backfill selected$/i.test(plain)) {
      backfillSelected = true;
    } else if (/^[^/\s]+\/[^/\s]+$/.test(plain)) {
      repositories.push(plain);
    }
  }
  return { repositories, backfillSelected };
}
