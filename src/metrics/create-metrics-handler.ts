import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Queryable } from "../db/index.js";
import { getWorkspaceMetrics } from "./get-workspace-metrics.js";
import { parseDaysParam } from "./parse-days-param.js";

const ROUTE = /^\/api\/workspaces\/([^/]+)\/metrics$/;

export interface MetricsHandlerOptions {
  db: Queryable;
  /** METRICS_API_TOKEN; unset → the API answers 404 as if it did not exist. */
  token: string | undefined;
  /** Where an unexpected failure is reported (never the token). */
  log?: { error: (obj: unknown, msg?: string) => void };
  clock?: () => Date;
}

export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const digest = (text: string) => createHash("sha256").update(text).digest();

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): true {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
  return true;
}

/**
 * `GET /api/workspaces/{installation_id}/metrics?days=30` (contract §6), as a handler for
 * Probot's `addHandler`: Probot tries its handlers in turn and stops at the first that
 * returns true, so this returns false for every path it does not own.
 */
export function createMetricsHandler(options: MetricsHandlerOptions): MetricsHandler {
  const expected = options.token ? digest(options.token) : null;
  const clock = options.clock ?? (() => new Date());
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const match = ROUTE.exec(url.pathname);
    if (!match) return false;
    if (expected === null) return send(res, 404, { error: "Not found" });
    if (req.method !== "GET" && req.method !== "HEAD") {
      return send(res, 405, { error: "Method not allowed" }, { allow: "GET, HEAD" });
    }

    // Hashing both sides first gives timingSafeEqual equal lengths and hides the token's.
    const header = req.headers.authorization ?? "";
    const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? "";
    if (!timingSafeEqual(digest(presented), expected)) {
      return send(res, 401, { error: "Unauthorized" }, { "www-authenticate": "Bearer" });
    }

    const id = decodeURIComponent(match[1]!);
    if (!/^[1-9]\d{0,15}$/.test(id) || !Number.isSafeInteger(Number(id))) {
      return send(res, 404, { error: "Unknown workspace" });
    }
    const parsed = parseDaysParam(url.searchParams);
    if (!parsed.ok) return send(res, 400, { error: parsed.error });
    const { days } = parsed;

    try {
      const metrics = await getWorkspaceMetrics(options.db, Number(id), { days, now: clock() });
      if (metrics === null) return send(res, 404, { error: "Unknown workspace" });
      return send(res, 200, metrics, { "cache-control": "no-store" });
    } catch (err) {
      options.log?.error({ err }, "metrics API failed");
      return send(res, 500, { error: "Internal error" });
    }
  };
}
