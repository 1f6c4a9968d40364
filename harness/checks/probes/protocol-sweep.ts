import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedContainer } from '../../runtime/started-container.ts';
import { SovhError } from '../../util/sovh-error.ts';

const script = readFileSync(join(import.meta.dirname, 'protocol-sweep.py'), 'utf8');

/** What to send toward one address: one packet per TCP port, UDP port and IP protocol. */
export interface SweepPlan {
  address: string;
  tcpPorts: readonly number[];
  udpPorts: readonly number[];
  /** IP protocol numbers sent as raw packets (NET_RAW): 47 GRE, 50 ESP, ... */
  ipProtocols: readonly number[];
  /** Packets per second: fast enough to be cheap, slow enough for the sender's queues. */
  perSecond: number;
}

/** The sender's own view: how many packets its kernel took, and why it refused the others. */
export interface SweepResult {
  taken: { tcp: number; udp: number; ip: number };
  /** "udp EPERM" (the sender's firewall dropped it) and the like, with their counts. */
  refused: Record<string, number>;
  elapsedMs: number;
}

/** Writes a list of numbers as ranges: 1,2,3,7 becomes 1-3,7. */
export function asRanges(values: readonly number[]): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${String(sorted[i])}-${String(sorted[j])}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * Sends the plan's packets from a harness container (protocol-sweep.py), without waiting for
 * answers: whether any crossed is for a capture elsewhere to count. From a machine's probe, the
 * packets leave through the host's own routes and firewall.
 */
export async function sweepProtocols(
  from: StartedContainer,
  plan: SweepPlan,
): Promise<SweepResult> {
  const count = plan.tcpPorts.length + plan.udpPorts.length + plan.ipProtocols.length;
  const args = [
    plan.address,
    asRanges(plan.tcpPorts),
    asRanges(plan.udpPorts),
    asRanges(plan.ipProtocols),
    String(plan.perSecond),
  ];
  const result = await from.exec(['python3', '-', ...args], {
    stdin: script,
    // The paced sending time, and as long again for a loaded machine.
    timeoutMs: 10_000 + (2_000 * count) / plan.perSecond,
  });
  if (result.exitCode !== 0)
    throw new SovhError(
      'SCENARIO_STEP_FAILED',
      `the protocol sweep toward ${plan.address} failed in ${from.nodeName}: ${result.stderr.trim().slice(-300)}`,
    );
  return JSON.parse(result.stdout) as SweepResult;
}
