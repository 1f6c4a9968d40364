/**
 * Every container, network and volume the harness makes carries these labels. They are the only
 * way the harness finds its own resources again (there is no reaper container to rely on), so they
 * are the contract between a run, its teardown, the reaper of dead runs and `sovh down`.
 */
export const labelKeys = {
  managed: 'dev.sovh.managed',
  namespace: 'dev.sovh.namespace',
  session: 'dev.sovh.session',
  owner: 'dev.sovh.owner',
  keep: 'dev.sovh.keep',
  scenario: 'dev.sovh.scenario',
  role: 'dev.sovh.role',
  node: 'dev.sovh.node',
  /**
   * Paths (comma-separated) a container may have made immutable (chattr +i) that must be unlocked
   * before the engine can remove it: the engine cannot delete an immutable file.
   */
  unlockPaths: 'dev.sovh.unlock-paths',
  /**
   * The harness image that unlocks them from outside (joined to the container's PID namespace):
   * the container's own tools are never used, a stack under test may have none.
   */
  unlockWith: 'dev.sovh.unlock-with',
} as const;

/** The namespace separates independent users of one engine (e.g. test suites that reap). */
export function currentNamespace(env: NodeJS.ProcessEnv = process.env): string {
  const namespace = env.SOVH_NAMESPACE ?? 'default';
  if (!/^[a-z0-9][a-z0-9_.-]{0,62}$/.test(namespace)) {
    throw new TypeError(
      `SOVH_NAMESPACE "${namespace}" is not a valid namespace: use lower-case letters, digits, ` +
        `".", "_" or "-", starting with a letter or digit`,
    );
  }
  return namespace;
}

/** The docker label filter that selects everything of a namespace, or of one session in it. */
export function labelFilter(namespace: string, sessionId?: string): { label: string[] } {
  const label = [`${labelKeys.managed}=true`, `${labelKeys.namespace}=${namespace}`];
  if (sessionId !== undefined) label.push(`${labelKeys.session}=${sessionId}`);
  return { label };
}
