import { basename } from 'node:path';
import { StartedAudit } from '../../sims/audit/audit.ts';
import { hostPaths } from '../contract/host-paths.ts';
import { SovhError } from '../util/sovh-error.ts';
import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';

/** The audit service that holds the host's audit disk. */
function auditServing(world: World, hostName: string): StartedAudit {
  const host = world.topology.hosts.find((h) => h.name === hostName);
  const audit = world
    .allSims()
    .find(
      (s): s is StartedAudit => s instanceof StartedAudit && host !== undefined && s.serves(host),
    );
  if (audit === undefined)
    throw new SovhError(
      'NOT_AUDITED',
      `no audit service of this world holds host ${hostName}'s audit disk; add a service of kind audit (in the host's zone) to the topology`,
    );
  return audit;
}

/**
 * The host's audit disk fills up, from the audit machine, until `leaveFreeBytes` are left (under
 * the contract's 16 KiB by default, so Log-Or-Die is owed). The heal frees the disk; the stack's
 * services stay down until its next boot, as the contract says.
 */
export function auditDiskFull(hostName: string, leaveFreeBytes = 8 * 1024): Fault {
  return {
    name: `audit-disk-full-${hostName}`,
    description: `host ${hostName}'s audit disk fills up, ${leaveFreeBytes} bytes left free`,
    async invoke(world: World) {
      const audit = auditServing(world, hostName);
      await audit.fillAuditDisk(hostName, leaveFreeBytes);
      return () => audit.freeAuditDisk(hostName);
    },
  };
}

/**
 * The store's audit trail on the host's audit disk cannot be appended to (a directory takes its
 * place), while the disk keeps its room: the failure a room check alone never sees. The heal puts
 * the trail back as it was.
 */
export function auditTrailUnwritable(hostName: string): Fault {
  const trail = basename(hostPaths.storeAuditTrail);
  return {
    name: `audit-trail-unwritable-${hostName}`,
    description: `host ${hostName}'s store audit trail (${trail}) can no longer be appended to, with room left on its audit disk`,
    async invoke(world: World) {
      const audit = auditServing(world, hostName);
      await audit.makeAuditFileUnwritable(hostName, trail);
      return () => audit.makeAuditFileWritable(hostName, trail);
    },
  };
}
