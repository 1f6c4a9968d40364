import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { readVmFile } from '../../harness/checks/probes/disk-forensics.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { hostPaths } from '../../harness/contract/host-paths.ts';
import type { History } from '../../harness/scenario/history.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { observed, type GateSessionObservation } from './geo-gate-evidence.ts';

/** The gate's session log as the harness read it off the VM disk. */
export interface GateLogObservation {
  present: boolean;
  lines: string[];
}
export const gateLog = observationKey<GateLogObservation>('gate-log');

/** Reads the gate's session log off the host's disk, from outside the stack. */
export async function observeGateLog(
  context: ScenarioContext,
  host: HostVm,
): Promise<GateLogObservation> {
  const content = await readVmFile(context.world, host, hostPaths.gateLog);
  return context.observe(gateLog, {
    present: content !== undefined,
    lines: (content?.toString() ?? '').split('\n').filter((l) => l.trim() !== ''),
  });
}

/** Whether a line names an IPv4 address as a whole token. */
function namesAddress(line: string, address: string): boolean {
  return new RegExp(`(^|[^0-9.])${address.replace(/\./g, '\\.')}([^0-9]|$)`).test(line);
}

/** The contract's three fields of a session line. */
const sessionFields = ['src_geo=', 'dst_geo=', 'verdict='];

/** A session's line: its client and the address it called, with the contract's three fields. */
function lineOf(lines: readonly string[], s: GateSessionObservation): string | undefined {
  return lines.find(
    (l) =>
      namesAddress(l, s.clientAddress) &&
      namesAddress(l, s.calledAddress) &&
      sessionFields.every((f) => l.includes(f)),
  );
}

function verdictIn(line: string): string | undefined {
  return /verdict=(\S+)/.exec(line)?.[1];
}

function sessions(history: History): GateSessionObservation[] {
  return history.observations(observed.session).map((e) => e.data);
}

/**
 * Each session gets its line in the gate's log (CONTRACT.md): an operator answering "who reached
 * the sovereign API from where" reads it, and the residency log's fence lines name only the
 * refusals. A line per session the harness drove, naming its client and the address it called,
 * with src_geo, dst_geo and verdict; the admitted session's verdict differs from every refused one's.
 */
export const gateSessionsLoggedCheck: Check = {
  name: 'gate-sessions-logged',
  description: `The gate's log (${hostPaths.gateLog}) has a line for each session the harness drove, naming its client and the address it called, with ${sessionFields.map((f) => f.slice(0, -1)).join(', ')}; the admitted session's verdict is not a refused one's`,
  verify(history) {
    const log = lastObservation(history, gateLog).data;
    const driven = sessions(history);
    const admitted = driven.filter((s) => s.ok);
    const problems: string[] = [];
    const found: string[] = [];
    if (!log.present) problems.push(`there is no ${hostPaths.gateLog}`);
    for (const s of driven) {
      const line = lineOf(log.lines, s);
      const what = `${s.zone} ${s.clientAddress} -> ${s.calledAddress}`;
      if (line === undefined) problems.push(`no line for ${what}`);
      else found.push(`${what}: ${line}`);
    }
    const admittedVerdicts = new Set(
      admitted.map((s) => verdictIn(lineOf(log.lines, s) ?? '')).filter((v) => v !== undefined),
    );
    for (const s of driven.filter((d) => !d.ok)) {
      const verdict = verdictIn(lineOf(log.lines, s) ?? '');
      if (verdict !== undefined && admittedVerdicts.has(verdict))
        problems.push(
          `the refused session ${s.clientAddress} -> ${s.calledAddress} has the admitted verdict ${verdict}`,
        );
    }
    return verdictOf(
      driven.length > 0 && problems.length === 0,
      `the gate's log has a line for each of the ${driven.length} sessions`,
      driven.length === 0 ? 'no session was driven' : problems.join('; '),
      {
        expected: `one line per session with ${sessionFields.join(', ')}`,
        observed: `${log.lines.length} line(s); ${found.length} of ${driven.length} sessions found`,
        evidence: [
          {
            source: `${hostPaths.gateLog} on the VM disk (read by the harness)`,
            excerpt: found.slice(0, 4).join('\n') || log.lines.slice(-4).join('\n') || '(empty)',
          },
        ],
      },
    );
  },
};
