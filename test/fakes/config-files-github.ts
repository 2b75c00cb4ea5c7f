import { FakeGitHub } from "./fake-github.js";

/**
 * The fake GitHub plus repository files, served as `GET /repos/{o}/{r}/contents/{path}`
 * answers them in the raw media type that `@probot/octokit-plugin-config` asks for (404
 * when absent), behind nock or over HTTP (`listen`).
 */
export class ConfigFilesGitHub extends FakeGitHub {
  readonly files = new Map<string, string>();

  setFile(owner: string, repo: string, path: string, text: string | null) {
    const k = `${owner}/${repo}/${path}`.toLowerCase();
    if (text === null) this.files.delete(k);
    else this.files.set(k, text);
    return this;
  }

  override handle(method: string, rawPath: string, body: Record<string, unknown> | null) {
    const url = new URL(rawPath, "http://fake");
    const m = /^(?:\/api\/v3)?\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/.exec(url.pathname);
    if (method === "GET" && m) {
      const path = decodeURIComponent(m[3]!);
      const recorded = url.pathname.replace(/^\/api\/v3/, "");
      this.requests.push({ method, path: recorded, query: {}, body, at: Date.now() });
      const text = this.files.get(`${m[1]}/${m[2]}/${path}`.toLowerCase());
      if (text === undefined) return { status: 404, body: { message: "Not Found" } };
      return { status: 200, body: text, contentType: "application/vnd.github.raw; charset=utf-8" };
    }
    return super.handle(method, rawPath, body);
  }
}
