import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { asResolver } from '../../sims/resolver/resolver.ts';

const resolvConf = '/etc/resolv.conf';

/** resolv.conf as the host's next boot left it, after it booted onto a stale, locked one. */
export interface StaleBootObservation {
  host: string;
  /** The server the locked file named before the boot. */
  staleServer: string;
  /** The sovereign resolver's address, from the harness's own world. */
  sovereignResolver: string;
  content: string;
  flags: string;
}

export const staleBoot = observationKey<StaleBootObservation>('stale-boot-resolv-conf');

/** Reads the host's resolv.conf and its flags from outside the stack (HostRoot). */
export async function observeStaleBoot(
  context: ScenarioContext,
  host: HostVm,
  options: { staleServer: string; resolver: string },
): Promise<StaleBootObservation> {
  const root = await host.openRoot();
  try {
    const path = root.path(resolvConf);
    const result = await root.exec(
      ['sh', '-c', 'lsattr -d "$1" | cut -d" " -f1; echo ---; cat "$1"', 'read', path],
      { timeoutMs: 10_000 },
    );
    const [flags = '', content = ''] = result.stdout.split('\n---\n');
    return context.observe(staleBoot, {
      host: host.name,
      staleServer: options.staleServer,
      sovereignResolver: asResolver(context.world.sim(options.resolver)).address,
      content,
      flags: flags.trim(),
    });
  } finally {
    await root.detach();
  }
}

function nameservers(content: string): string[] {
  return content
    .split('\n')
    .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
    .filter((server): server is string => server !== undefined);
}

/**
 * The contract: resolv.conf lists only the sovereign resolvers and is immutable, which a boot
 * makes so whatever it finds. Every boot used to find the file unlocked, so a stack that takes a
 * locked file for its own finished work ("an operator's lock wins") kept a stale server and passed.
 */
export const resolvConfRewrittenAtBoot: Check = {
  name: 'resolv-conf-rewritten-at-boot',
  description: `A host that boots onto an immutable ${resolvConf} naming a server the site does not list rewrites it: after the boot it names the sovereign resolver, not the stale server, and is immutable again (read from outside the stack)`,
  verify(history) {
    const o = lastObservation(history, staleBoot).data;
    const servers = nameservers(o.content);
    return withPositiveControl(
      {
        seen: o.flags !== '',
        what: `the flags of ${o.host}'s ${resolvConf}, read with lsattr from outside (a file the harness could read at all)`,
      },
      () => {
        const problems = [
          ...(servers.includes(o.staleServer)
            ? [`it still names the stale server ${o.staleServer}`]
            : []),
          ...(servers.includes(o.sovereignResolver)
            ? []
            : [`it does not name the sovereign resolver ${o.sovereignResolver}`]),
          ...(o.flags.includes('i') ? [] : [`it is not immutable (flags ${o.flags})`]),
        ];
        const observed = `nameservers: ${servers.join(', ') || 'none'}; flags ${o.flags}`;
        return verdictOf(
          problems.length === 0,
          `${resolvConf} rewritten at boot: ${observed}`,
          `after the boot onto a stale, locked ${resolvConf}: ${problems.join('; ')}`,
          {
            expected: `nameserver ${o.sovereignResolver}, no ${o.staleServer}, flag i`,
            observed,
            evidence: [
              {
                source: `${resolvConf} of ${o.host}, read from a harness container in its PID namespace`,
                excerpt: o.content,
              },
            ],
          },
        );
      },
    );
  },
};
