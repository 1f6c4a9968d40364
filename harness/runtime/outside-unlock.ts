import type Docker from 'dockerode';
import { raceDeadline } from '../util/deadline.ts';
import { labelKeys } from './labels.ts';

/**
 * What a harness container needs to reach another container's files and lift their immutable
 * flag: SYS_PTRACE to open /proc/PID/root of a process that holds capabilities it lacks, and
 * LINUX_IMMUTABLE for the flag. Never more: the harness never runs privileged.
 */
export const outsideFileCapabilities = ['SYS_PTRACE', 'LINUX_IMMUTABLE'] as const;

/**
 * A path of the target container as a helper in its PID namespace reaches it: through the root
 * of the target's first process (its init), so the target's mounts (binds, volumes) are seen as
 * the target sees them.
 */
export function inRootOfTarget(path: string): string {
  return `/proc/1/root${path}`;
}

/**
 * The helper's command that lifts the flag of each path that exists. It runs the harness's own
 * shell and chattr (the helper image's), never the target's: the target may have neither, and a
 * patched tool of its own must not decide what is unlocked.
 */
export function unlockCommand(paths: readonly string[]): string[] {
  return [
    'sh',
    '-c',
    'for f in "$@"; do [ -e "$f" ] && chattr -i "$f"; done; true',
    'unlock',
    ...paths.map(inRootOfTarget),
  ];
}

/** How long one unlock may take: a hung engine must not stall teardown. */
const unlockBoundMs = 20_000;

/**
 * Clears the immutable flag of files a container may have locked, from a short-lived harness
 * container (`helperImage`) that joins its PID namespace. The helper carries the target's
 * session labels, so that a teardown cut short leaves nothing the reaper would not find.
 */
export async function unlockFromOutside(
  docker: Docker,
  target: { id: string; labels: Record<string, string> },
  helperImage: string,
  paths: readonly string[],
): Promise<void> {
  const sessionLabels = Object.fromEntries(
    [labelKeys.managed, labelKeys.namespace, labelKeys.session, labelKeys.owner]
      .filter((key) => target.labels[key] !== undefined)
      .map((key) => [key, target.labels[key] as string]),
  );
  const helper = await docker.createContainer({
    Image: helperImage,
    Cmd: unlockCommand(paths),
    Labels: { ...sessionLabels, [labelKeys.role]: 'unlock' },
    HostConfig: {
      NetworkMode: 'none',
      PidMode: `container:${target.id}`,
      CapAdd: [...outsideFileCapabilities],
    },
  });
  try {
    await raceDeadline(
      helper.start().then(() => helper.wait()),
      unlockBoundMs,
      () => new Error(`the unlock of ${paths.join(', ')} did not end within ${unlockBoundMs}ms`),
    );
  } finally {
    await helper.remove({ force: true }).catch(() => undefined);
  }
}
