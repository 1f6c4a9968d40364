import { engineHostHelperRole, outsideFileCapabilities } from './outside-unlock.ts';
import type { RunSession } from './run-session.ts';
import type { StartedContainer } from './started-container.ts';

const engineHostHelpers = new WeakMap<RunSession, Promise<StartedContainer>>();

/**
 * The session's one harness container in the engine host's network and PID namespaces (the
 * observer image `image`, no program of a stack): it adds and removes the zone-routing and IPv6
 * isolation rules (bridge-routing.ts), reaches a running host's files through /proc/PID/root
 * (HostRoot) and unlocks the world's locked files at teardown (engine-resources.ts). One per
 * session, started on first use and removed by the sweep with the session's other containers: a
 * helper per task cost a container start each, about half a second of the engine's CPU.
 */
export function engineHostHelper(session: RunSession, image: string): Promise<StartedContainer> {
  let helper = engineHostHelpers.get(session);
  if (helper === undefined) {
    helper = session
      .container(image, 'engine-host')
      .withNode('engine-host', engineHostHelperRole)
      .withEngineHostNetwork()
      .withHostPidNamespace()
      // NET_ADMIN and NET_RAW for the rules; outsideFileCapabilities to open another container's
      // root (SYS_PTRACE) and lift an immutable flag (LINUX_IMMUTABLE).
      .withCapabilities('NET_ADMIN', 'NET_RAW', ...outsideFileCapabilities)
      .withInit()
      .withCommand(['sleep', 'infinity'])
      .start();
    // A failed start is reported by each caller; the next caller tries again.
    helper.catch(() => engineHostHelpers.delete(session));
    engineHostHelpers.set(session, helper);
  }
  return helper;
}

/** Drops a helper that is gone (the engine restarted, or it was killed): the next use starts one. */
export function forgetEngineHostHelper(session: RunSession): void {
  engineHostHelpers.delete(session);
}

/**
 * The session's engine-host helper, replaced once when it is gone (an engine restarted under a
 * live world): for a step that needs it running, at the cost of one inspect.
 */
export async function runningEngineHostHelper(
  session: RunSession,
  image: string,
): Promise<StartedContainer> {
  const helper = await engineHostHelper(session, image);
  if (await helper.isRunning().catch(() => false)) return helper;
  forgetEngineHostHelper(session);
  await helper.remove().catch(() => undefined);
  return engineHostHelper(session, image);
}
