import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Db } from "../../src/db/index.js";
import { registerInstallationHandlers } from "../../src/github/register-surfaces.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { createTestProbot, examplePayload } from "../helpers/probot.js";

// biome-ignore lint/suspicious/noExplicitAny: example payloads patched field by field
type Payload = Record<string, any>;

describe("installations as workspaces", () => {
  let db: Db;
  const engine = { pause: vi.fn(), resume: vi.fn(), endWorkspace: vi.fn() };
  const added = vi.fn();
  let delivery = 0;
  const probot = () =>
    createTestProbot((app) =>
      registerInstallationHandlers(app, { db, engine, onRepositoriesAdded: added }),
    );
  const send = async (name: string, payload: Payload, id = `d-${++delivery}`) =>
    (await probot()).receive({ id, name, payload } as never);

  const workspaces = async () =>
    (
      await db.query(
        "select installation_id, account_login, account_type, status from workspaces order by installation_id",
      )
    ).rows;
  const repos = async () =>
    (
      await db.query(
        "select installation_id, repository_id, owner, name, private from workspace_repositories order by position",
      )
    ).rows;

  const created = (): Payload => {
    const p = examplePayload<Payload>(
      "installation",
      "created",
      (e) => Array.isArray(e.repositories) && e.repositories.length > 0,
    );
    p.repositories = [
      { id: 11, node_id: "a", name: "alpha", full_name: "Octo-Org/alpha", private: false },
      { id: 12, node_id: "b", name: "beta", full_name: "Octo-Org/beta", private: true },
    ];
    return p;
  };

  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await resetDb(db);
    vi.clearAllMocks();
  });

  it("creates the workspace and its repositories in GitHub's order on installation.created", async () => {
    const payload = created();
    await send("installation", payload);
    expect(await workspaces()).toEqual([
      {
        installation_id: payload.installation.id,
        account_login: "Codertocat",
        account_type: "User",
        status: "active",
      },
    ]);
    expect(await repos()).toEqual([
      {
        installation_id: payload.installation.id,
        repository_id: 11,
        owner: "Octo-Org",
        name: "alpha",
        private: false,
      },
      {
        installation_id: payload.installation.id,
        repository_id: 12,
        owner: "Octo-Org",
        name: "beta",
        private: true,
      },
    ]);
    expect(added).toHaveBeenCalledWith({
      installationId: payload.installation.id,
      repositories: [
        { id: 11, owner: "Octo-Org", name: "alpha" },
        { id: 12, owner: "Octo-Org", name: "beta" },
      ],
      deliveryId: "d-1",
      source: "installation",
      event: "installation",
    });
  });

  it("changes nothing more when the same delivery arrives twice", async () => {
    await send("installation", created(), "same");
    await send("installation", created(), "same");
    expect(await repos()).toHaveLength(2);
    expect(added).toHaveBeenCalledTimes(1);
    const { rows } = await db.query("select delivery_id, event, action from webhook_deliveries");
    expect(rows).toEqual([{ delivery_id: "same", event: "installation", action: "created" }]);
  });

  it("adds and removes repositories on installation_repositories", async () => {
    const install = created();
    await send("installation", install);
    const addedPayload = examplePayload<Payload>("installation_repositories", "added");
    addedPayload.installation.id = install.installation.id;
    addedPayload.repositories_added = [
      { id: 13, node_id: "c", name: "gamma", full_name: "Octo-Org/gamma", private: false },
      { id: 11, node_id: "a", name: "alpha", full_name: "Octo-Org/alpha", private: false },
    ];
    await send("installation_repositories", addedPayload);
    expect(added).toHaveBeenLastCalledWith(
      expect.objectContaining({ repositories: [{ id: 13, owner: "Octo-Org", name: "gamma" }] }),
    );

    const removed = examplePayload<Payload>("installation_repositories", "removed");
    removed.installation.id = install.installation.id;
    removed.repositories_removed = [
      { id: 12, node_id: "b", name: "beta", full_name: "Octo-Org/beta", private: true },
    ];
    await send("installation_repositories", removed);
    expect((await repos()).map((r) => `${r.owner}/${r.name}`)).toEqual([
      "Octo-Org/alpha",
      "Octo-Org/gamma",
    ]);
    expect(added).toHaveBeenCalledTimes(2);
  });

  it("follows renamed and transferred repositories by id", async () => {
    await send("installation", created());
    const renamed = examplePayload<Payload>("repository", "renamed");
    renamed.repository.id = 11;
    renamed.repository.name = "alpha-2";
    renamed.repository.owner.login = "Octo-Org";
    await send("repository", renamed);
    const transferred = examplePayload<Payload>("repository", "transferred", (e) =>
      Boolean(e.installation),
    );
    transferred.repository.id = 12;
    transferred.repository.name = "beta";
    transferred.repository.owner.login = "new-home";
    await send("repository", transferred);
    expect((await repos()).map((r) => `${r.owner}/${r.name}`)).toEqual([
      "Octo-Org/alpha-2",
      "new-home/beta",
    ]);
  });

  it("suspends, resumes and ends the workspace, telling the engine", async () => {
    const install = created();
    const id = install.installation.id;
    await send("installation", install);
    const suspend = examplePayload<Payload>("installation", "suspend");
    suspend.installation.id = id;
    await send("installation", suspend);
    expect((await workspaces())[0]!.status).toBe("suspended");
    expect(engine.pause).toHaveBeenCalledWith(id);

    const unsuspend = examplePayload<Payload>("installation", "unsuspend");
    unsuspend.installation.id = id;
    await send("installation", unsuspend);
    expect((await workspaces())[0]!.status).toBe("active");
    expect(engine.resume).toHaveBeenCalledWith(id);

    const deleted = examplePayload<Payload>("installation", "deleted");
    deleted.installation.id = id;
    await send("installation", deleted);
    expect((await workspaces())[0]!.status).toBe("deleted");
    expect(await repos()).toEqual([]);
    expect(engine.endWorkspace).toHaveBeenCalledWith(id);
  });

  it("ignores a payload with missing or mistyped fields without failing the delivery", async () => {
    await send("installation", {
      action: "created",
      installation: { id: 5, account: "nope" },
      repositories: "x",
    });
    await send("installation_repositories", {
      action: "added",
      installation: { id: 5 },
      repositories_added: [{ id: 1, full_name: "no-slash" }],
    });
    expect(await workspaces()).toEqual([]);
    expect(added).not.toHaveBeenCalled();
  });
});
