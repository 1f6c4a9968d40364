import { hostPaths } from '../../harness/contract/host-paths.ts';
import { readVmFile } from '../../harness/checks/probes/disk-forensics.ts';
import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { waitUntil } from '../../harness/util/wait-until.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { addressInCidr, mustParseCidr, parseAddress } from '../../harness/util/cidr.ts';

const routeTimeoutMs = 45_000;

/** The host namespace's routes, from the kernel (the machine probe), not from the stack. */
export async function kernelRoutes(context: ScenarioContext, host: HostVm): Promise<string> {
  const probe = await machineProbe(context.world, host.machine);
  return (await probe.run(['ip', '-4', 'route'], { timeoutMs: 10_000 })).stdout;
}

/** Waits until the host's kernel has (or no longer has) a learned route for a prefix. */
export async function awaitLearnedRoute(
  context: ScenarioContext,
  host: HostVm,
  prefix: string,
  present: boolean,
): Promise<string> {
  return waitUntil(
    async () => {
      const routes = await kernelRoutes(context, host);
      const learned = routes
        .split('\n')
        .some((l) => l.startsWith(`${prefix} `) && l.includes('proto bird'));
      return learned === present ? routes : undefined;
    },
    {
      what: `a BGP route for ${prefix} in ${host.name}'s kernel`,
      expected: present ? 'present' : 'gone',
      timeoutMs: routeTimeoutMs,
      // Each try is an exec in a container: a second apart keeps a boot wait cheap.
      intervalMs: 1_000,
    },
  );
}

export interface MtrHop {
  hop: number;
  address: string;
  lossPercent: number;
  averageMs: number;
  /** The fastest round trip: what the path adds without the scheduling noise of a busy machine. */
  bestMs: number;
}

export interface MtrPath {
  phase: string;
  target: string;
  hops: MtrHop[];
  /** Hops whose address lies outside the domestic CIDRs. */
  foreignHops: MtrHop[];
  raw: string;
}

/** mtr from the host's machine to a target: the path its packets take, hop by hop. */
export async function observeMtr(
  context: ScenarioContext,
  host: HostVm,
  phase: string,
  target: string,
  domesticCidrs: readonly string[],
  cycles = 3,
): Promise<MtrPath> {
  const probe = await machineProbe(context.world, host.machine);
  const result = await probe.exec(
    ['mtr', '-n', '-r', '-c', String(cycles), '-i', '0.2', '-w', target],
    { timeoutMs: 60_000 },
  );
  const hops = result.stdout
    .split('\n')
    .map((line) =>
      /^\s*(\d+)\.\|--\s+(\S+)\s+([\d.]+)%\s+\d+\s+[\d.]+\s+([\d.]+)\s+([\d.]+)/.exec(line),
    )
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      hop: Number(m[1]),
      address: m[2] ?? '',
      lossPercent: Number(m[3]),
      averageMs: Number(m[4]),
      bestMs: Number(m[5]),
    }));
  const ranges = domesticCidrs.map(mustParseCidr);
  const foreignHops = hops.filter((h) => {
    const address = parseAddress(h.address);
    return address !== undefined && !ranges.some((r) => addressInCidr(address, r));
  });
  return context.observe('mtr-path', { phase, target, hops, foreignHops, raw: result.stdout });
}

/** The host's BIRD log (its own account of what it rejected), read off the VM disk. */
export async function observeBirdLog(context: ScenarioContext, host: HostVm, phase: string) {
  const content = (await readVmFile(context.world, host, hostPaths.routingLog))?.toString() ?? '';
  return context.observe('bird-log', {
    phase,
    host: host.name,
    lines: content.split('\n').filter((l) => l.trim() !== ''),
  });
}
