import nock from "nock";
import type { FakeGitHub } from "../fakes/fake-github.js";

/**
 * Sends every call to api.github.com to the fake, through nock: tests then assert the exact
 * list of calls (method, path, body) the fake recorded.
 */
export function routeGitHubToFake(fake: FakeGitHub): void {
  for (const method of ["GET", "POST", "PATCH", "PUT", "DELETE"]) {
    nock("https://api.github.com")
      .persist()
      .intercept(/.*/, method)
      .reply(function (uri, requestBody) {
        const body =
          typeof requestBody === "string" && requestBody !== ""
            ? (JSON.parse(requestBody) as Record<string, unknown>)
            : typeof requestBody === "object" && requestBody !== null
              ? (requestBody as Record<string, unknown>)
              : null;
        const answer = fake.handle(this.req.method, uri, body);
        return [answer.status, answer.body as nock.Body, answer.headers ?? {}];
      });
  }
}
