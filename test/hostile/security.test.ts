import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/index.js";
import { createTestDb } from "../helpers/db.js";
import {
  FaultyGitHub,
  type InProcessApp,
  INSTALLATION,
  leakedSecrets,
  SECRETS,
  seedWorkspace,
  startInProcessApp,
} from "../faults/app-harness.js";

const root = join(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [join(dir, e.name)]
        : [],
  );
}

describe("the metrics API token", () => {
  let db: Db;
  let github: FaultyGitHub;
  let app: InProcessApp;

  beforeAll(async () => {
    db = await createTestDb();
    github = new FaultyGitHub();
    app = await startInProcessApp({ db, githubHost: await github.listen(), throttle: false });
    await seedWorkspace(db, github, ["alpha"]);
  });
  afterAll(async () => {
    await app?.stop();
    await github?.close();
    await db?.close();
  });

  const get = async (authorization?: string) => {
    const res = await fetch(`${app.url}/api/workspaces/${INSTALLATION}/metrics?days=30`, {
      headers: authorization === undefined ? {} : { authorization },
    });
    return { status: res.status, body: await res.text() };
  };

  it("answers 401 to a missing, wrong, truncated, extended or differently-schemed token", async () => {
    const token = SECRETS.METRICS_API_TOKEN;
    const answers = await Promise.all(
      [
        undefined,
        "",
        "Bearer",
        "Bearer ",
        `Bearer ${token.slice(0, -1)}`,
        `Bearer ${token}x`,
        `Bearer ${token.toUpperCase()}`,
        `Basic ${Buffer.from(`x:${token}`).toString("base64")}`,
        `Token ${token}`,
        token,
        `Bearer ${"a".repeat(10_000)}`,
      ].map(get),
    );
    for (const a of answers) {
      expect(a.status).toBe(401);
      expect(a.body).not.toContain(token);
    }
    const ok = await get(`Bearer ${token}`);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toHaveProperty("stars");
  });

  // Probot's HTTP logger (pino-http) logs every
  // request's headers at info level, `authorization` included, so each metrics API call
  // writes the bearer token to the log.
  it("the bearer token never reaches the log", async () => {
    await get(`Bearer ${SECRETS.METRICS_API_TOKEN}`);
    expect(leakedSecrets(app.logs.text())).toEqual([]);
  });

  it("compares in constant time: timingSafeEqual over equal-length digests, never ===", () => {
    const code = readFileSync(join(root, "src/metrics/create-metrics-handler.ts"), "utf8");
    expect(code).toMatch(/timingSafeEqual\(digest\(presented\), expected\)/);
    expect(code).toMatch(/createHash\("sha256"\)/);
    expect(code).not.toMatch(/(presented|token)\s*[!=]==?\s*(options\.token|expected|presented)/);
  });
});

describe("SQL only through parameters", () => {
  // Interpolations allowed in SQL text: constant fragments the code defines — a string
  // constant of the same file (column lists, placeholders such as `const N =
  // "$7::timestamptz"`), a same-file helper called only with such constants or literals, the
  // engine's shared column lists and async-commit condition — and, by name, the parameters
  // of helpers that are themselves only called that way (`between(column, a, b)`) and the
  // `set`/`alongside` clauses every caller passes as plain literals (checked below).
  const HELPER_PARAMETERS: Record<string, string[]> = {
    "src/backfill/item-change.ts": ["alongside", "set"],
    "src/backfill/claim-item.ts": ["limit"],
    // The pacing fragments' SQL expressions and aliases (callers pass literals, checked below).
    "src/backfill/pacing-store.ts": [
      "alias",
      "installationId",
      "leaseMs",
      "delayMs",
      "claimed",
      "renewed",
      "ms",
    ],
    // Constant SQL fragments (template strings whose own interpolations are vetted here too).
    "src/metrics/actors-sql.ts": ["windowEvents"],
    "src/metrics/query-metrics.ts": ["activitySql", "eventsSql"],
    // The edge probes' fragments are built from EDGES and the parameter constants alone.
    "src/metrics/events-sql.ts": [
      "column",
      "kind",
      "day",
      "from",
      "to",
      "a",
      "b",
      "x",
      "edge",
      "hour",
      "selectList",
      "edgeColumns",
      "edgeProbes",
      "innerDays",
    ],
  };
  // SQL fragment builders shared between the engine's statements; their own parameters are
  // vetted in their own file, and every call passes literals (checked like same-file calls).
  const SHARED_FRAGMENTS = [
    "leaseFree",
    "busyRuns",
    "joinPacing",
    "triggerDue",
    "nextTriggerAt",
    "holdAfterClaim",
    "holdWhileTriggering",
    "pauseFromNow",
  ];
  function vetted(file: string, text: string, expr: string): boolean {
    const constant = (name: string) =>
      new RegExp(`^const ${name} = (\`[^\`$]*\`|"[^"]*"|'[^']*'|[0-9_]+);`, "m").test(text);
    if (expr === "ASYNC_COMMIT" || /^(ITEM|RUN)_COLUMNS$/.test(expr)) return true;
    if (/^columnsOf\((ITEM|RUN)_COLUMNS(, "[a-z]")?\)$/.test(expr)) return true;
    if ((HELPER_PARAMETERS[file] ?? []).includes(expr)) return true;
    if (/^[A-Z][A-Z0-9_]*$/.test(expr)) return constant(expr);
    const call = /^([a-z][A-Za-z]*)\((.*)\)$/.exec(expr);
    const defined =
      call &&
      (SHARED_FRAGMENTS.includes(call[1]!) ||
        new RegExp(`(function ${call[1]}\\(|const ${call[1]} = \\()`).test(text));
    if (call && defined) {
      return call[2]!
        .split(",")
        .map((a) => a.trim())
        .every(
          (a) =>
            /^"[^"]*"$/.test(a) ||
            (/^[A-Z][A-Z0-9_]*$/.test(a) && constant(a)) ||
            // A fragment's own vetted parameter, passed on to a helper of the same file.
            (HELPER_PARAMETERS[file] ?? []).includes(a),
        );
    }
    return false;
  }

  it("no value is interpolated into a SQL string in src/", () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(root, "src"))) {
      const text = readFileSync(file, "utf8");
      for (const literal of text.match(/`[^`]*`/g) ?? []) {
        if (!/\b(select|insert|update|delete)\b[\s\S]*\b(from|into|set|where)\b/i.test(literal))
          continue;
        for (const m of literal.matchAll(/\$\{([^}]*)\}/g)) {
          const name = file.slice(root.length + 1);
          if (!vetted(name, text, m[1]!.trim())) offenders.push(`${name}: \${${m[1]}}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it("every set/alongside clause passed to changeHeldItem is a literal or vetted fragments", () => {
    const offenders: string[] = [];
    let clauses = 0;
    for (const file of sourceFiles(join(root, "src/backfill"))) {
      const text = readFileSync(file, "utf8");
      const name = file.slice(root.length + 1);
      for (const m of text.matchAll(/\b(set|alongside): (`[^`]*`|"[^"]*")/g)) {
        clauses++;
        for (const i of m[2]!.matchAll(/\$\{([^}]*)\}/g)) {
          if (!vetted(name, text, i[1]!.trim())) offenders.push(`${name}: \${${i[1]}}`);
        }
      }
    }
    expect(clauses).toBeGreaterThan(0);
    expect(offenders).toEqual([]);
  });
});
