import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Queryable } from "../db/index.js";
import {
  chartPoints,
  getRepositoriesMetrics,
  parseDaysParam,
  readDailyHistory,
} from "../metrics/index.js";
import { badgeValue } from "./badge-value.js";
import { findPublicRepository } from "./find-public-repository.js";
import { renderBadge } from "./render-badge.js";
import {
  DEFAULT_CHART_WIDTH,
  MAX_CHART_WIDTH,
  MIN_CHART_WIDTH,
  renderHistorySvg,
} from "./render-history-svg.js";

const ROUTE = /^\/embed\/([^/]+)\/([^/]+)\/(stars|history)\.svg$/;

export interface EmbedHandlerOptions {
  db: Queryable;
  /** Where an unexpected failure is reported. */
  log?: { error: (obj: unknown, msg?: string) => void };
  clock?: () => Date;
}

export type EmbedHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

function sendText(res: ServerResponse, status: number, text: string, headers = {}): true {
  // Refusals are not cached: a repository made public shows up at the next request.
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "cache-control": "no-store",
    ...headers,
  });
  res.end(`${text}\n`);
  return true;
}

type Width = { ok: true; width: number } | { ok: false; error: string };

function parseWidth(params: URLSearchParams): Width {
  const values = params.getAll("width");
  if (values.length === 0) return { ok: true, width: DEFAULT_CHART_WIDTH };
  const value = values[0]!;
  const n = Number(value);
  if (values.length > 1 || !/^\d{1,4}$/.test(value) || n < MIN_CHART_WIDTH || n > MAX_CHART_WIDTH) {
    return {
      ok: false,
      error: `width must be a whole number from ${MIN_CHART_WIDTH} to ${MAX_CHART_WIDTH}`,
    };
  }
  return { ok: true, width: n };
}

/** True when one of the request's entity tags is the answer's (weak compare, RFC 9110). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  return ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/**
 * `GET /embed/{owner}/{repo}/stars.svg?days=30` and `/history.svg?width=800` (contract §8),
 * for Probot's `addHandler`: false for every path it does not own. No token: these are for
 * READMEs, so only public workspace repositories answer; every other name gets the same
 * 404, whether unknown, removed or private. The badge's figure is the metrics module's, the
 * chart's days are `repository_daily_counts`'.
 */
export function createEmbedHandler(options: EmbedHandlerOptions): EmbedHandler {
  const clock = options.clock ?? (() => new Date());
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const match = ROUTE.exec(url.pathname);
    if (!match) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      return sendText(res, 405, "Method not allowed", { allow: "GET, HEAD" });
    }
    let owner: string;
    let name: string;
    try {
      owner = decodeURIComponent(match[1]!);
      name = decodeURIComponent(match[2]!);
    } catch {
      return sendText(res, 404, "Not found");
    }
    const kind = match[3] as "stars" | "history";
    // Checked before the repository, so a bad value says nothing about which names exist.
    const days = kind === "stars" ? parseDaysParam(url.searchParams) : null;
    if (days && !days.ok) return sendText(res, 400, days.error);
    const width = kind === "history" ? parseWidth(url.searchParams) : null;
    if (width && !width.ok) return sendText(res, 400, width.error);

    try {
      const repository = await findPublicRepository(options.db, owner, name);
      if (repository === null) return sendText(res, 404, "Not found");
      const now = clock();
      let svg: string;
      if (days?.ok) {
        const metrics = await getRepositoriesMetrics(options.db, [repository], {
          days: days.days,
          now,
          uniqueActors: false,
        });
        const stars = metrics.repositories[0]?.stars ?? metrics.stars;
        const value = badgeValue(stars, days.days);
        svg = renderBadge({ label: "stars", value: value.text, tone: value.tone });
      } else {
        const history = await readDailyHistory(options.db, [repository], {
          to: now.toISOString().slice(0, 10),
        });
        svg = renderHistorySvg({
          repository,
          series: chartPoints(history.days),
          starsSource: history.starsSource,
          forksSource: history.forksSource,
          width: width?.ok ? width.width : DEFAULT_CHART_WIDTH,
        });
      }
      const etag = `"${createHash("sha256").update(svg).digest("base64url").slice(0, 27)}"`;
      const headers = {
        etag,
        "cache-control": "public, max-age=3600",
        // Opened on its own the SVG is a document: it may style itself, and nothing else.
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
        "x-content-type-options": "nosniff",
      };
      if (matches(req.headers["if-none-match"], etag)) {
        res.writeHead(304, headers);
        res.end();
        return true;
      }
      res.writeHead(200, {
        ...headers,
        "content-type": "image/svg+xml; charset=utf-8",
        "content-length": Buffer.byteLength(svg),
      });
      res.end(req.method === "HEAD" ? undefined : svg);
      return true;
    } catch (err) {
      options.log?.error({ err }, "embed failed");
      return sendText(res, 500, "Internal error");
    }
  };
}
