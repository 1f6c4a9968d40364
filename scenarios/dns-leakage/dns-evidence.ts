import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { ResolverQuery } from '../../sims/resolver/unbound-config.ts';
import { asResolver } from '../../sims/resolver/resolver.ts';

export interface Lookup {
  name: string;
  /** dig's status (NOERROR, NXDOMAIN, ...) or "TIMEOUT" when no server answered. */
  status: string;
  answers: string[];
  /** The server that answered, as dig reports it. */
  server: string;
}

function parseDig(name: string, output: string): Lookup {
  const status = /status: ([A-Z]+)/.exec(output)?.[1] ?? 'TIMEOUT';
  const server = /^;; SERVER: ([\d.]+)#/m.exec(output)?.[1] ?? '';
  const answers = output
    .split('\n')
    .filter((l) => !l.startsWith(';') && /\sIN\s+A\s/.test(l))
    .map((l) => l.trim().split(/\s+/).pop() ?? '');
  return { name, status, answers, server };
}

/**
 * Resolves names on the host's machine the way its programs do: through the namespace's
 * resolv.conf (the one the stack wrote), with dig from the harness's probe, which reports the
 * server that answered.
 */
export async function observeLookups(
  context: ScenarioContext,
  host: HostVm,
  names: readonly string[],
) {
  const probe = await machineProbe(context.world, host.machine);
  const lookups: Lookup[] = [];
  for (const name of names) {
    const result = await probe.exec(['dig', '+time=2', '+tries=1', name, 'A'], {
      timeoutMs: 20_000,
    });
    lookups.push(parseDig(name, result.stdout));
  }
  const resolvConf = (await probe.exec(['cat', '/etc/resolv.conf'], { timeoutMs: 5_000 })).stdout;
  return context.observe('lookups', { host: host.name, lookups, resolvConf });
}

export interface ResolverRecord {
  resolver: string;
  address: string;
  role: string;
  fromZone: ResolverQuery[];
}

/** What each resolver received from the zone, from its own query log. */
export async function observeResolvers(
  context: ScenarioContext,
  names: readonly string[],
  zoneCidrs: readonly string[],
) {
  for (const name of names) {
    const resolver = asResolver(context.world.sim(name));
    context.observe('resolver-record', {
      resolver: name,
      address: resolver.address,
      role: resolver.role,
      fromZone: await resolver.queriesFrom(zoneCidrs),
    } satisfies ResolverRecord);
  }
}
