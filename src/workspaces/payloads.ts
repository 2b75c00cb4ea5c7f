import { z } from "zod";

/** The parts of GitHub's payloads the workspace sync reads; the rest is ignored. */

const account = z.object({
  login: z.string().min(1),
  id: z.number().int(),
  type: z.string().optional(),
});

export const installationRepository = z.object({
  id: z.number().int(),
  full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/),
  private: z.boolean().optional(),
});
export type InstallationRepository = z.infer<typeof installationRepository>;

const installation = z.object({ id: z.number().int(), account: account.nullish() });

export const installationEvent = z.object({
  action: z.string(),
  installation,
  repositories: z.array(installationRepository).nullish(),
});

export const installationRepositoriesEvent = z.object({
  action: z.enum(["added", "removed"]),
  installation,
  repositories_added: z.array(installationRepository).default([]),
  repositories_removed: z.array(installationRepository.partial({ full_name: true })).default([]),
});

export const repositoryEvent = z.object({
  action: z.string(),
  repository: z.object({
    id: z.number().int(),
    name: z.string().min(1),
    owner: z.object({ login: z.string().min(1) }),
    private: z.boolean().optional(),
    default_branch: z.string().optional(),
    stargazers_count: z.number().int().optional(),
    forks_count: z.number().int().optional(),
  }),
});
