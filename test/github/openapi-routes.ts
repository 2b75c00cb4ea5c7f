import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const spec = JSON.parse(
  readFileSync(require.resolve("@octokit/openapi/generated/api.github.com.json"), "utf8"),
) as { paths: Record<string, Record<string, unknown>> };

const templates = Object.entries(spec.paths).map(([template, ops]) => ({
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
  const ops = spec.paths[template!];
  return Boolean(ops && method && method.toLowerCase() in ops);
}
