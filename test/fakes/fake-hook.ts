import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface HookDelivery {
  path: string;
  body: unknown;
  /** The status it was answered with. */
  status: number;
}

/**
 * A Slack/Discord incoming webhook on 127.0.0.1: answers with the scripted statuses in turn
 * (then `fallback`), records every post, and counts a message only when it answered 2xx.
 */
export class FakeHook {
  readonly deliveries: HookDelivery[] = [];
  private script: { status: number; headers?: Record<string, string> }[] = [];
  fallback = 200;
  private server: Server | null = null;
  private waiters: (() => void)[] = [];
  url = "";

  /** The next posts are answered with these statuses, in order. */
  answer(...statuses: (number | { status: number; headers?: Record<string, string> })[]) {
    this.script.push(...statuses.map((s) => (typeof s === "number" ? { status: s } : s)));
    return this;
  }

  /** Posts answered 2xx: the messages a channel shows. */
  messages(): unknown[] {
    return this.deliveries.filter((d) => d.status < 300).map((d) => d.body);
  }

  /** Resolves once `n` posts (any answer) have arrived. */
  async posts(n: number, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.deliveries.length < n) {
      if (Date.now() > until)
        throw new Error(`the hook got ${this.deliveries.length} of ${n} posts`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async listen(path: string): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const next = this.script.shift() ?? { status: this.fallback };
        let body: unknown = null;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {}
        this.deliveries.push({ path: req.url ?? "", body, status: next.status });
        res.writeHead(next.status, { "content-type": "text/plain", ...next.headers });
        res.end(next.status < 300 ? "ok" : "error");
        for (const w of this.waiters.splice(0)) w();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this.url;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
