import type { HostAttachments } from '../../sims/sim-kind.ts';
import { SovhError } from '../util/sovh-error.ts';

/** The attachments of every simulator in a host's reach, merged, with who contributed what. */
export interface MergedAttachments {
  volumes: { source: string; target: string; readOnly: boolean }[];
  files: { path: string; content: string | Buffer; mode: number }[];
  environment: Record<string, string>;
}

export const noAttachments: MergedAttachments = { volumes: [], files: [], environment: {} };

/**
 * Merges what several simulators attach to one host. Two simulators claiming the same mount
 * target, file path or environment variable is a topology mistake (two HSMs for one host, say):
 * it fails with both names rather than letting the last one win silently.
 */
export function mergeHostAttachments(
  host: string,
  contributions: readonly { sim: string; attachments: HostAttachments }[],
): MergedAttachments {
  const merged: MergedAttachments = { volumes: [], files: [], environment: {} };
  const owners = new Map<string, string>();
  const claim = (what: string, sim: string) => {
    const previous = owners.get(what);
    if (previous !== undefined) {
      throw new SovhError(
        'HOST_ATTACHMENT_CONFLICT',
        `host ${host}: simulators ${previous} and ${sim} both attach ${what}; give the host one of them ` +
          '(check the cells and options that decide which hosts each simulator serves)',
      );
    }
    owners.set(what, sim);
  };
  for (const { sim, attachments } of contributions) {
    for (const volume of attachments.volumes ?? []) {
      claim(`a volume at ${volume.target}`, sim);
      merged.volumes.push({
        source: volume.source,
        target: volume.target,
        readOnly: volume.readOnly === true,
      });
    }
    for (const file of attachments.files ?? []) {
      claim(`the file ${file.path}`, sim);
      merged.files.push({ path: file.path, content: file.content, mode: file.mode ?? 0o644 });
    }
    for (const [name, value] of Object.entries(attachments.environment ?? {})) {
      claim(`the environment variable ${name}`, sim);
      merged.environment[name] = value;
    }
  }
  return merged;
}
