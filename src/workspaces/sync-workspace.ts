import type { Db } from "../db/index.js";
import {
  type InstallationRepository,
  installationEvent,
  installationRepositoriesEvent,
  repositoryEvent,
} from "./payloads.js";
import { recordDelivery } from "./record-delivery.js";
import {
  addRepositories,
  ensureWorkspace,
  type NewRepository,
  removeAllRepositories,
  removeRepositories,
  removeRepositoryEverywhere,
  setWorkspaceStatus,
  splitFullName,
  updateRepository,
  upsertWorkspace,
} from "./workspace-store.js";

export interface SyncInput {
  deliveryId: string;
  /** `installation`, `installation_repositories` or `repository`. */
  event: string;
  payload: unknown;
}

export type SyncResult =
  | { outcome: "duplicate" | "ignored"; reason?: string }
  | {
      outcome: "applied";
      installationId: number | null;
      action: string;
      /** Repositories new to the workspace, in GitHub's order. */
      added: NewRepository[];
      removed: number;
    };

function toNew(repos: InstallationRepository[]): NewRepository[] {
  return repos.map((r) => ({
    repositoryId: r.id,
    ...splitFullName(r.full_name),
    // GitHub always says; were it ever silent, the repository is not embedded (contract §8).
    private: r.private ?? true,
  }));
}

/**
 * Keeps a workspace and its repositories right from one installation, repository-set or
 * repository event (contract §3 "Workspace", "Installation"). Rows and the delivery id are
 * written in one transaction: a redelivered event changes nothing.
 */
export async function syncWorkspace(db: Db, input: SyncInput): Promise<SyncResult> {
  const parsed = parse(input.event, input.payload);
  if (!parsed.ok) return { outcome: "ignored", reason: parsed.reason };
  const { installationId, action } = parsed;
  return db.transaction(async (tx) => {
    const fresh = await recordDelivery(tx, {
      id: input.deliveryId,
      event: input.event,
      action,
      installationId,
    });
    if (!fresh) return { outcome: "duplicate" };
    let added: NewRepository[] = [];
    let removed = 0;
    const p = parsed.data;
    switch (p.kind) {
      case "installation": {
        const account = p.payload.installation.account;
        const ws = {
          installationId: p.payload.installation.id,
          accountLogin: account?.login ?? String(p.payload.installation.id),
          accountId: account?.id ?? null,
          accountType: account?.type ?? null,
        };
        if (action === "created") {
          await upsertWorkspace(tx, ws);
          added = await addRepositories(tx, ws.installationId, toNew(p.payload.repositories ?? []));
        } else if (action === "deleted") {
          await ensureWorkspace(tx, ws);
          await setWorkspaceStatus(tx, ws.installationId, "deleted");
          removed = await removeAllRepositories(tx, ws.installationId);
        } else if (action === "suspend") {
          await ensureWorkspace(tx, ws);
          await setWorkspaceStatus(tx, ws.installationId, "suspended");
        } else if (action === "unsuspend") {
          await ensureWorkspace(tx, ws);
          await setWorkspaceStatus(tx, ws.installationId, "active");
        }
        break;
      }
      case "installation_repositories": {
        const account = p.payload.installation.account;
        await ensureWorkspace(tx, {
          installationId: p.payload.installation.id,
          accountLogin: account?.login ?? String(p.payload.installation.id),
          accountId: account?.id ?? null,
          accountType: account?.type ?? null,
        });
        added = await addRepositories(
          tx,
          p.payload.installation.id,
          toNew(p.payload.repositories_added),
        );
        removed = await removeRepositories(
          tx,
          p.payload.installation.id,
          p.payload.repositories_removed.map((r) => r.id),
        );
        break;
      }
      case "repository": {
        const r = p.payload.repository;
        // privatized/publicized carry the new `private`; a repository made private stops
        // being embedded (contract §8) as soon as this transaction commits.
        if (
          action === "renamed" ||
          action === "transferred" ||
          action === "edited" ||
          action === "privatized" ||
          action === "publicized"
        ) {
          await updateRepository(tx, {
            repositoryId: r.id,
            owner: r.owner.login,
            name: r.name,
            private: r.private,
            defaultBranch: r.default_branch,
            stargazersCount: r.stargazers_count,
            forksCount: r.forks_count,
          });
        } else if (action === "deleted") {
          await removeRepositoryEverywhere(tx, r.id);
        }
        break;
      }
    }
    return { outcome: "applied", installationId, action, added, removed };
  });
}

type Parsed =
  | { ok: false; reason: string }
  | {
      ok: true;
      installationId: number | null;
      action: string;
      data:
        | { kind: "installation"; payload: ReturnType<typeof installationEvent.parse> }
        | {
            kind: "installation_repositories";
            payload: ReturnType<typeof installationRepositoriesEvent.parse>;
          }
        | { kind: "repository"; payload: ReturnType<typeof repositoryEvent.parse> };
    };

function parse(event: string, payload: unknown): Parsed {
  const installationOf = (p: unknown) => {
    const id = (p as { installation?: { id?: unknown } } | null)?.installation?.id;
    return typeof id === "number" ? id : null;
  };
  const fail = (error: { issues: { path: PropertyKey[]; message: string }[] }) => {
    const issue = error.issues[0];
    return {
      ok: false as const,
      reason: `${issue?.path.join(".") ?? "payload"}: ${issue?.message ?? "invalid"}`,
    };
  };
  if (event === "installation") {
    const r = installationEvent.safeParse(payload);
    if (!r.success) return fail(r.error);
    return {
      ok: true,
      installationId: r.data.installation.id,
      action: r.data.action,
      data: { kind: "installation", payload: r.data },
    };
  }
  if (event === "installation_repositories") {
    const r = installationRepositoriesEvent.safeParse(payload);
    if (!r.success) return fail(r.error);
    return {
      ok: true,
      installationId: r.data.installation.id,
      action: r.data.action,
      data: { kind: "installation_repositories", payload: r.data },
    };
  }
  if (event === "repository") {
    const r = repositoryEvent.safeParse(payload);
    if (!r.success) return fail(r.error);
    return {
      ok: true,
      installationId: installationOf(payload),
      action: r.data.action,
      data: { kind: "repository", payload: r.data },
    };
  }
  return { ok: false, reason: `event ${event} is not a workspace event` };
}
