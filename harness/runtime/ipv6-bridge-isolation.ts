import { SovhError, describeError } from '../util/sovh-error.ts';
import { bridgeName, inEngineHostNetwork, ipv6IsolationComment } from './bridge-routing.ts';
import type { StartedNetwork } from './internal-network.ts';
import type { RunSession } from './run-session.ts';

/**
 * The engine host's ip6tables commands that keep a dual-stack bridge to itself: frames that enter
 * and leave the same bridge pass (a router's forwarded packets are such frames), anything the
 * engine host itself would route into or out of the bridge is dropped. Inserted in reverse, so
 * that the accept is evaluated first. Pure, for its unit test.
 */
export function ipv6IsolationCommands(bridge: string, action: '-I' | '-D'): string[] {
  const rule = (match: string, target: string) =>
    `ip6tables ${action} FORWARD ${match} -m comment --comment ${ipv6IsolationComment} -j ${target}`;
  return [
    rule(`-o ${bridge}`, 'DROP'),
    rule(`-i ${bridge}`, 'DROP'),
    rule(`-i ${bridge} -o ${bridge}`, 'ACCEPT'),
  ];
}

/**
 * Isolates a run's dual-stack networks from each other and from the machine over IPv6.
 *
 * For IPv4 the engine drops what its host would route between internal networks. For IPv6 an
 * engine without ip6tables management (Debian's docker.io 20.10) installs no such rule, yet turns
 * on the host's IPv6 forwarding when it creates an IPv6 network: a container could then reach
 * another zone through its engine-made default route (the bridge's gateway), past the world's
 * routers, which is exactly the path a residency check must not have open. These rules close it;
 * they go with the run's networks, and a killed run's rules are pruned with the IPv4 ones.
 */
export async function isolateIpv6Bridges(
  session: RunSession,
  helperImage: string,
  networks: readonly StartedNetwork[],
): Promise<void> {
  const bridges = networks.filter((n) => n.subnet6 !== undefined).map(bridgeName);
  if (bridges.length === 0) return;
  const add = bridges.flatMap((b) => ipv6IsolationCommands(b, '-I')).join(' && ');
  const remove = bridges
    .flatMap((b) => ipv6IsolationCommands(b, '-D'))
    .map((command) => `${command} 2>/dev/null`)
    .join('; ');
  const adding = inEngineHostNetwork(session, helperImage, 'ipv6-isolation', add);
  session.onTeardown(async () => {
    await adding.catch(() => undefined);
    await inEngineHostNetwork(session, helperImage, 'ipv6-isolation-cleanup', `${remove}; true`);
  });
  try {
    await adding;
  } catch (error) {
    throw new SovhError(
      'IPV6_ISOLATION_UNAVAILABLE',
      `cannot isolate the run's IPv6 networks (bridges ${bridges.join(', ')}) on the engine host: ` +
        `${describeError(error)}. The engine host needs ip6tables, and a helper container in its ` +
        'host network namespace with NET_ADMIN; topologies without ipv6Cidrs do not need it.',
      { cause: error },
    );
  }
}
