import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';
import { restartHost } from './host-restart.ts';

/**
 * The host reboots onto a resolv.conf that an earlier boot left behind, already immutable: it
 * names a server the site no longer lists (a site file changed between boots, an operator's lock).
 * The file is the machine's, written and locked from its pod while the host is down; a stack that
 * takes a locked file for its own finished work keeps the stale server. Nothing to heal: the next
 * boot of a correct stack rewrites it, and teardown unlocks it.
 */
export function staleResolvConf(hostName: string, server: string): Fault {
  return {
    name: `stale-resolv-conf-${hostName}`,
    description: `host ${hostName} reboots onto an immutable resolv.conf naming ${server}, a server the site does not list`,
    async invoke(world: World) {
      const host = world.host(hostName);
      await restartHost(host, () =>
        host.machine.lockResolvConf(
          `# Left by an earlier boot, and locked.\nnameserver ${server}\n`,
        ),
      );
      return () => Promise.resolve();
    },
  };
}
