import type { World } from '../../world/world.ts';
import { StartedAudit } from '../../../sims/audit/audit.ts';
import type { AuditEvent } from '../../../sims/audit/audit-records.ts';
import { SovhError } from '../../util/sovh-error.ts';

export const residencyAuditKey = 'residency_audit';
/** The manual's rule, as the stack installs it and the kernel holds it (auditctl -l). */
export const residencyAuditRule = '-w /data/sovereign_storage -p wa -k residency_audit';

export function auditOf(world: World, name: string): StartedAudit {
  const sim = world.sim(name);
  if (!(sim instanceof StartedAudit))
    throw new SovhError(
      'NOT_AN_AUDIT_SERVICE',
      `simulator ${name} is a ${sim.kind}, not an audit service`,
    );
  return sim;
}

/** The events of a log carrying the residency key that name a path containing `fragment`. */
export function eventsTouching(events: readonly AuditEvent[], fragment: string): AuditEvent[] {
  return events.filter(
    (e) => e.key === residencyAuditKey && e.paths.some((p) => p.name.includes(fragment)),
  );
}

/** A one-line description of an event, for evidence. */
export function describeEvent(event: AuditEvent): string {
  return `syscall=${event.syscall ?? '?'} success=${event.success ?? '?'} comm=${event.comm ?? '?'} exe=${event.exe ?? '?'} pid=${event.pid ?? '?'} paths=${event.paths.map((p) => `${p.name}(${p.nametype ?? '?'})`).join(',')}`;
}
