import { SovhError, describeError } from '../util/sovh-error.ts';
import type { StartedNetwork } from './internal-network.ts';
import { engineHostHelper, forgetEngineHostHelper } from './engine-host-helper.ts';
import type { RunSession } from './run-session.ts';

/** Marks the rules this file adds, so that the rules of gone networks can be found and removed. */
const ruleComment = 'sovh-zone-routing';
/** Marks the engine host's IPv6 rules that keep a run's dual-stack bridges to themselves. */
export const ipv6IsolationComment = 'sovh-ipv6-isolation';

/**
 * Finds the rules of this file whose bridge no longer exists (a run killed before its teardown
 * left them) and prints one line per rule: "orphan br-..." when only listing, "removed br-..."
 * when pruning. Run in the engine host's network namespace.
 */
export function orphanRoutingRulesScript(mode: 'list' | 'prune'): string {
  const act =
    mode === 'prune'
      ? 'eval "$tool -D $chain $rest" && echo "removed $bridge"'
      : 'echo "orphan $bridge"';
  // IPv4 rules sit in DOCKER-USER, the IPv6 isolation rules (ipv6-bridge-isolation.ts) in FORWARD.
  return [
    `for spec in "iptables DOCKER-USER ${ruleComment}" "ip6tables FORWARD ${ipv6IsolationComment}"; do`,
    '  set -- $spec; tool=$1; table_chain=$2; comment=$3;',
    '  $tool -S "$table_chain" 2>/dev/null | grep -- "--comment $comment" | while read -r _ chain rest; do',
    '    bridge=$(echo "$rest" | sed -n "s/.*-[io] \\(br-[0-9a-f]*\\) .*/\\1/p");',
    `    if [ -n "$bridge" ] && ! ip link show "$bridge" >/dev/null 2>&1; then ${act}; fi;`,
    '  done;',
    'done',
  ].join('\n');
}

/** The Linux bridge the engine made for a network (its default name: br- and 12 hex of the id). */
export function bridgeName(network: StartedNetwork): string {
  return `br-${network.id.slice(0, 12)}`;
}

/**
 * Lets routers of a run forward between its zone networks.
 *
 * The engine isolates an internal network at its bridge: with bridge netfilter on (as the engine
 * sets it), a frame bridged on an internal network whose IPv4 destination (or source) lies outside
 * that network's subnet is dropped. A router's forwarded packets are exactly such frames: a host
 * sends a foreign-bound packet to the router's MAC on its own zone's bridge. One rule per bridge in
 * the engine host's DOCKER-USER chain (which the engine evaluates first and leaves to its users)
 * accepts frames that enter AND leave the same bridge of this run, and nothing else. Packets that
 * would leave the machine are routed by the engine host to another interface, so they never match
 * and stay dropped by the engine's own rules: nothing of the run reaches past the machine.
 *
 * The rules are removed when the run is torn down. Each call also first removes the rules whose
 * bridge no longer exists (left by a run that was killed), so they never pile up.
 */
export async function allowZoneRouting(
  session: RunSession,
  helperImage: string,
  networks: readonly StartedNetwork[],
): Promise<void> {
  if (networks.length === 0) return;
  const bridges = networks.map(bridgeName);
  const prune = orphanRoutingRulesScript('prune');
  const add = bridges
    .map(
      (b) =>
        `iptables -I DOCKER-USER -i ${b} -o ${b} -m comment --comment ${ruleComment} -j ACCEPT`,
    )
    .join(' && ');
  const remove = bridges
    .map(
      (b) =>
        `iptables -D DOCKER-USER -i ${b} -o ${b} -m comment --comment ${ruleComment} -j ACCEPT 2>/dev/null`,
    )
    .join('; ');
  const adding = inEngineHostNetwork(session, helperImage, 'zone-routing', `${prune}\n${add}`);
  // The rules go with the run's networks; a crashed run's rules are pruned by the next run. The
  // removal is registered before the rules exist: a run interrupted (SIGINT) while they are being
  // added waits for the add to end, then removes them, instead of leaving them behind.
  session.onTeardown(async () => {
    await adding.catch(() => undefined);
    await inEngineHostNetwork(session, helperImage, 'zone-routing-cleanup', `${remove}; true`);
  });
  try {
    await adding;
  } catch (error) {
    throw new SovhError(
      'ZONE_ROUTING_UNAVAILABLE',
      `cannot let routers forward between the run's zone networks (bridges ${bridges.join(', ')}): ` +
        `${describeError(error)}. The engine must allow a helper container in its host network ` +
        'namespace with NET_ADMIN (a rootful engine does); topologies without routers do not need it.',
      { cause: error },
    );
  }
}

/**
 * Runs a script in the session's engine-host helper (engine-host-helper.ts), in the engine host's
 * network namespace: it adds the rules at bring-up and removes them at teardown (a hook, run
 * before the sweep removes the helper with the session's other containers). `purpose` names the
 * script in a failure.
 */
export async function inEngineHostNetwork(
  session: RunSession,
  image: string,
  purpose: string,
  script: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const helper = await engineHostHelper(session, image);
    try {
      await helper.sh(script, { timeoutMs: 20_000 });
      return;
    } catch (error) {
      // A helper that is gone (the engine restarted, or it was killed from outside) is replaced
      // once: the teardown's removal of the rules must not fail for want of it.
      if (attempt === 1 && !(await helper.isRunning().catch(() => false))) {
        forgetEngineHostHelper(session);
        await helper.remove().catch(() => undefined);
        continue;
      }
      throw new Error(`${purpose}: ${describeError(error)}`, { cause: error });
    }
  }
}
