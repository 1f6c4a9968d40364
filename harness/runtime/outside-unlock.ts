import type Docker from 'dockerode';
import { raceDeadline } from '../util/deadline.ts';
import { execInContainer } from './container-exec.ts';
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
function unlockCommand(paths: readonly string[]): string[] {
  return unlockResolvedCommand(paths.map(inRootOfTarget));
}

/** The same command for paths already resolved in the helper's own view. */
export function unlockResolvedCommand(helperPaths: readonly string[]): string[] {
  return [
    'sh',
    '-c',
    'for f in "$@"; do [ -e "$f" ] && chattr -i "$f"; done; true',
    'unlock',
    ...helperPaths,
  ];
}

/**
 * A path of a container as a helper in the engine host's PID namespace reaches it: through the
 * root of the container's first process, by the PID the engine reports for it.
 */
export function inRootOfProcess(pid: number, path: string): string {
  return `/proc/${String(pid)}/root${path}`;
}

/** How long one unlock may take: a hung engine must not stall teardown. */
const unlockBoundMs = 20_000;

/** The labels that put a helper in its target's session, so that the reaper finds a leftover one. */
function sessionLabelsOf(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    [labelKeys.managed, labelKeys.namespace, labelKeys.session, labelKeys.owner]
      .filter((key) => labels[key] !== undefined)
      .map((key) => [key, labels[key] as string]),
  );
}

/** Starts a helper, waits for its end within the bound, and removes it whatever happened. */
async function runHelper(
  docker: Docker,
  options: Parameters<Docker['createContainer']>[0],
  what: string,
): Promise<void> {
  const helper = await docker.createContainer(options);
  try {
    await raceDeadline(
      helper.start().then(() => helper.wait()),
      unlockBoundMs,
      () => new Error(`the unlock of ${what} did not end within ${unlockBoundMs}ms`),
    );
  } finally {
    await helper.remove({ force: true }).catch(() => undefined);
  }
}

/** Where a volume is mounted in the helper that unlocks it. */
const volumeMount = '/volume';

/**
 * Clears the immutable flag of every file of a volume, from a short-lived harness container that
 * mounts it (LINUX_IMMUTABLE only, no network). For a volume whose containers are gone (a run
 * killed in its teardown): the engine cannot delete a volume that holds an immutable file, and
 * there is no container left whose namespace a helper could join. The volume's own labels put
 * the helper in its session.
 */
export async function unlockVolumeFromOutside(
  docker: Docker,
  volume: { name: string; labels: Record<string, string> },
  helperImage: string,
): Promise<void> {
  await runHelper(
    docker,
    {
      Image: helperImage,
      Cmd: [
        'sh',
        '-c',
        `find ${volumeMount} -xdev ! -type l -exec chattr -i {} + 2>/dev/null; true`,
      ],
      Labels: { ...sessionLabelsOf(volume.labels), [labelKeys.role]: 'unlock' },
      HostConfig: {
        NetworkMode: 'none',
        Binds: [`${volume.name}:${volumeMount}`],
        CapAdd: ['LINUX_IMMUTABLE'],
      },
    },
    `volume ${volume.name}`,
  );
}

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
  await runHelper(
    docker,
    {
      Image: helperImage,
      Cmd: unlockCommand(paths),
      Labels: { ...sessionLabelsOf(target.labels), [labelKeys.role]: 'unlock' },
      HostConfig: {
        NetworkMode: 'none',
        PidMode: `container:${target.id}`,
        CapAdd: [...outsideFileCapabilities],
      },
    },
    paths.join(', '),
  );
}

/** A running container whose files one helper unlocks, by the PID the engine reports for it. */
export interface UnlockTarget {
  pid: number;
  paths: readonly string[];
}

/**
 * The role of a session's long-lived helper in the engine host's PID namespace with
 * outsideFileCapabilities (bridge-routing.ts starts it): a teardown unlocks through it with one
 * exec, where it exists, instead of starting a helper.
 */
export const engineHostHelperRole = 'engine-host';

/**
 * Clears the immutable flag of the files of several running containers at once, from the
 * engine host's PID namespace: by one exec in the session's engine-host helper when it runs
 * (`unlocker`), otherwise from one short-lived harness container there. Either way one engine
 * operation for a whole teardown instead of a container start per target (each costs the engine
 * about half a second of CPU, and a world has up to a dozen such targets). Same capabilities as
 * the per-container helper, no network; `labels` (a target's) put a helper in the targets'
 * session for the reaper.
 */
export async function unlockManyFromOutside(
  docker: Docker,
  targets: readonly UnlockTarget[],
  helper: { image: string; labels: Record<string, string>; unlocker?: string | undefined },
): Promise<void> {
  const command = unlockResolvedCommand(
    targets.flatMap((t) => t.paths.map((p) => inRootOfProcess(t.pid, p))),
  );
  if (helper.unlocker !== undefined) {
    const result = await execInContainer(docker, helper.unlocker, command, {
      timeoutMs: unlockBoundMs,
    }).catch(() => undefined);
    if (result?.exitCode === 0) return;
  }
  await runHelper(
    docker,
    {
      Image: helper.image,
      Cmd: command,
      Labels: { ...sessionLabelsOf(helper.labels), [labelKeys.role]: 'unlock' },
      HostConfig: {
        NetworkMode: 'none',
        PidMode: 'host',
        CapAdd: [...outsideFileCapabilities],
      },
    },
    `the locked files of ${String(targets.length)} container(s)`,
  );
}
