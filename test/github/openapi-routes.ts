import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { DOCUMENTED_ADDITIONS } from "../../src/history/history-routes.js";

const require = createRequire(import.meta.url);
const spec = JSON.parse(
  readFileSync(require.resolve("@octokit/openapi/generated/api.github.com.json"), "utf8"),
) as { paths: Record<string, Record<string, unknown>> };

/**
 * The description plus the routes GitHub documents that it lacks yet (the star history,
 * changelog 2026-09-04), each listed with its source in `DOCUMENTED_ADDITIONS`.
 */
const paths: Record<string, Record<string, unknown>> = { ...spec.paths };
for (const route of Object.keys(DOCUMENTED_ADDITIONS)) {
  const [method, template] = route.split(" ");
  paths[template!] = { ...paths[template!], [method!.toLowerCase()]: {} };
}

/** True when the route is in `@octokit/openapi` itself (not only an addition). */
export function openApiDescribes(route: string): boolean {
  const [method, template] = route.split(" ");
  return Boolean(method && spec.paths[template!]?.[method.toLowerCase()]);
}

const templates = Object.entries(paths).map(([template, ops]) => ({
  template,
  methods: new Set(Object.keys(ops).map((m) => m.toUpperCase())),
  pattern: new RegExp(
    `^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, "[^/]+")}$`,
  ),
}));

/** The REST description's path template for a concrete call, or null when GitHub has none. */
export function openApiTemplate(method: string, path: string): string | null {
  const bare = path.replace(/\?.*$/, "").replace(/^\/api\/v3/, "");
  const found = templates.find((t) => t.methods.has(method.toUpperCase()) && t.pattern.test(bare));
  return found?.template ?? null;
}

/** True when `METHOD /template` (as in octokit's route strings) is in the description. */
export function openApiHasRoute(route: string): boolean {
  const [method, template] = route.split(" ");
  const ops = paths[template!];
  return Boolean(ops && method && method.toLowerCase() in ops);
}
