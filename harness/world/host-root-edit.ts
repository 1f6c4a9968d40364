import { SovhError } from '../util/sovh-error.ts';
import type { HostRoot } from './host-root.ts';
import type { HostVm } from './host-vm.ts';

/**
 * Runs `edit` with the host's root opened from outside the stack (HostRoot: the harness's own
 * tools, so that a stack image without a shell cannot shape the change), and fails with `what`
 * named on a non-zero exit. The helper is removed either way.
 */
export async function editHostRoot(
  host: HostVm,
  what: string,
  edit: (root: HostRoot) => Promise<{ exitCode: number; stderr: string }>,
): Promise<void> {
  const root = await host.openRoot();
  try {
    const result = await edit(root);
    if (result.exitCode !== 0)
      throw new SovhError(
        'HOST_EDIT_FAILED',
        `editing ${what} of host ${host.name} from outside failed (exit ${String(result.exitCode)}): ${result.stderr.trim()}`,
      );
  } finally {
    await root.detach();
  }
}
