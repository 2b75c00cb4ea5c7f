/**
 * The demo's last step: fetches one repository's badge and history chart from the running
 * app (`GET /embed/{owner}/{repo}/stars.svg` and `history.svg`, contract §8, no token, as a
 * README would) and writes them to a folder that outlives the demo's temporary directory.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function writeEmbeds(input: {
  say: (line?: string) => void;
  /** The app server's base URL. */
  base: string;
  /** `owner/name` of a public workspace repository. */
  repository: string;
  /** Where to write; default `$DEMO_EMBED_DIR` or `<tmp>/workspace-backfill-embeds`. */
  dir?: string;
}): Promise<string[]> {
  const dir =
    input.dir ?? process.env.DEMO_EMBED_DIR ?? join(tmpdir(), "workspace-backfill-embeds");
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [file, path] of [
    ["stars.svg", `/embed/${input.repository}/stars.svg`],
    ["history.svg", `/embed/${input.repository}/history.svg`],
  ] as const) {
    const res = await fetch(`${input.base}${path}`);
    const body = await res.text();
    if (res.status !== 200 || !res.headers.get("content-type")?.startsWith("image/svg+xml")) {
      throw new Error(`GET ${path} answered ${res.status}: ${body.slice(0, 200)}`);
    }
    const target = join(dir, `${input.repository.replace("/", "-")}-${file}`);
    writeFileSync(target, body);
    written.push(target);
  }
  input.say(
    `Embeds of ${input.repository} (the badge and chart a README would show), fetched from the app:`,
  );
  for (const file of written) input.say(`   ${file}`);
  return written;
}
