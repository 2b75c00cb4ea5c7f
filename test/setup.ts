import nock from "nock";
import { afterEach } from "vitest";

// No test reaches the network; loopback stays open for the local fake servers.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);

afterEach(() => {
  nock.cleanAll();
});
