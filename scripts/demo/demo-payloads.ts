import examples from "@octokit/webhooks-examples";

/**
 * Webhook payloads for the demo, built from GitHub's published examples
 * (`@octokit/webhooks-examples`) with only the names and ids patched.
 */

type Example = { name: string; examples: Record<string, unknown>[] };

// biome-ignore lint/suspicious/noExplicitAny: GitHub's example JSON, patched field by field
function example(event: string, action: string): Record<string, any> {
  const group = (examples as unknown as Example[]).find((e) => e.name === event);
  const payload = group?.examples.find((p) => p.action === action);
  if (!payload) throw new Error(`no example payload for ${event}.${action}`);
  return structuredClone(payload);
}

export interface DemoRepository {
  id: number;
  owner: string;
  name: string;
}

export interface DemoUser {
  login: string;
  id: number;
}

function user(login: string, id: number, type = "User") {
  return {
    login,
    id,
    node_id: `MDQ6VXNlcj${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    url: `https://api.github.com/users/${login}`,
    html_url: `https://github.com/${login}`,
    type,
    site_admin: false,
  };
}

export function installationCreated(options: {
  installationId: number;
  account: DemoUser;
  sender: DemoUser;
  repositories: DemoRepository[];
}) {
  const payload = example("installation", "created");
  payload.installation.id = options.installationId;
  payload.installation.account = {
    ...payload.installation.account,
    ...user(options.account.login, options.account.id, "Organization"),
  };
  payload.installation.target_type = "Organization";
  payload.installation.repository_selection = "selected";
  payload.installation.permissions = {
    checks: "write",
    contents: "read",
    issues: "write",
    metadata: "read",
  };
  payload.repositories = options.repositories.map((r) => ({
    id: r.id,
    node_id: `R_demo${r.id}`,
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    private: false,
  }));
  payload.sender = { ...payload.sender, ...user(options.sender.login, options.sender.id) };
  return payload;
}

export function issueCommentCreated(options: {
  installationId: number;
  repository: DemoRepository;
  issue: { number: number; title: string; labels: string[] };
  comment: { id: number; body: string };
  sender: DemoUser;
}) {
  const payload = example("issue_comment", "created");
  const { owner, name } = options.repository;
  const full = `${owner}/${name}`;
  const sender = user(options.sender.login, options.sender.id);
  payload.installation = {
    id: options.installationId,
    node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${options.installationId}`,
  };
  payload.repository = {
    ...payload.repository,
    id: options.repository.id,
    name,
    full_name: full,
    owner: { ...payload.repository.owner, ...user(owner, 9_000_001, "Organization") },
    html_url: `https://github.com/${full}`,
    default_branch: "main",
  };
  payload.issue = {
    ...payload.issue,
    number: options.issue.number,
    title: options.issue.title,
    html_url: `https://github.com/${full}/issues/${options.issue.number}`,
    url: `https://api.github.com/repos/${full}/issues/${options.issue.number}`,
    labels: options.issue.labels.map((label, i) => ({
      id: 7_000_000 + i,
      name: label,
      color: "0e8a16",
      default: false,
    })),
    state: "open",
  };
  payload.comment = {
    ...payload.comment,
    id: options.comment.id,
    body: options.comment.body,
    user: sender,
    html_url: `https://github.com/${full}/issues/${options.issue.number}#issuecomment-${options.comment.id}`,
    author_association: "MEMBER",
  };
  payload.sender = sender;
  return payload;
}
