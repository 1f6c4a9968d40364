import type { Link } from '../../harness/topology/topology-schema.ts';
import type { SeededRandom } from '../../harness/util/seeded-random.ts';

/** Which mechanism impairs a link: netem, or the fallback made of parts this kernel has. */
export type ImpairmentMechanism = 'none' | 'netem' | 'fallback';

/** A link as the router sees it: the interfaces of its two legs. */
export interface LinkOnInterfaces {
  link: Link;
  interfaces: [string, string];
  /** The NFQUEUE queue the fallback delayer of this link reads. */
  queue: number;
  /** The seed of the fallback delayer's jitter draws (`linkJitterSeed`). */
  jitterSeed: number;
}

/** One fallback delayer: the NFQUEUE queue it reads, how long it holds a packet, its draws' seed. */
export interface Delayer {
  queue: number;
  delayMs: number;
  jitterMs: number;
  jitterSeed: number;
}

export interface ImpairmentPlan {
  mechanism: ImpairmentMechanism;
  /** Shell commands, run in order in the router. */
  commands: string[];
  /** Delayer processes to start first (fallback only). */
  delayers: Delayer[];
  /** For reports: what each link got, in words. */
  description: string[];
}

function isImpaired(link: Link): boolean {
  return (
    link.delayMs > 0 || link.jitterMs > 0 || link.lossPercent > 0 || link.rateMbit !== undefined
  );
}

/**
 * The seed of a link's jitter draws in the fallback delayer: a stream of the router's seeded
 * randomness (the run's, scoped to the simulator: harness/util/seeded-random.ts) named after the
 * link, so a run or a live world with the same seed holds its packets for the same sequence of
 * delays. netem's jitter
 * is drawn by the kernel (prandom) and cannot be seeded: with netem the sequence differs each run.
 */
export function linkJitterSeed(random: SeededRandom, link: Link): number {
  return random.stream(`link-delay ${link.zones[0]}<->${link.zones[1]}`).uint32();
}

/** The command line of a fallback delayer (image/link-delay: QUEUE DELAY_MS JITTER_MS SEED). */
export function delayerCommand(delayer: Delayer): string[] {
  return [
    'link-delay',
    String(delayer.queue),
    String(delayer.delayMs),
    String(delayer.jitterMs),
    String(delayer.jitterSeed),
  ];
}

/** A tbf bucket of about 5 ms of traffic at the rate, and at least 16 kB (ten full-size packets). */
function tbf(device: string, rateMbit: number): string {
  const burstBytes = Math.max(16_000, Math.round((rateMbit * 1_000_000 * 0.005) / 8));
  return `tc qdisc replace dev ${device} root tbf rate ${rateMbit}mbit burst ${burstBytes} latency 50ms`;
}

/**
 * How to impair the router's links. With netem, each leg's egress gets a netem qdisc (delay,
 * jitter, loss, rate): a packet crossing the link is delayed once, so the round trip grows by twice
 * the delay. Without it: iptables `statistic` drops the lost share in the forward path, NFQUEUE
 * hands the rest to link-delay (which holds each packet for the delay), and tbf limits the rate on
 * each leg's egress. Both apply to all traffic leaving the leg, which on a two-legged router is the
 * link's traffic. Only the fallback's jitter follows the run's seed; netem's is the kernel's own.
 */
export function planImpairments(
  links: readonly LinkOnInterfaces[],
  netemAvailable: boolean,
): ImpairmentPlan {
  const impaired = links.filter((l) => isImpaired(l.link));
  if (impaired.length === 0)
    return { mechanism: 'none', commands: [], delayers: [], description: [] };
  const commands: string[] = [];
  const delayers: ImpairmentPlan['delayers'] = [];
  const description: string[] = [];
  for (const { link, interfaces, queue, jitterSeed } of impaired) {
    const name = `${link.zones[0]}<->${link.zones[1]}`;
    if (netemAvailable) {
      const parts = [
        link.delayMs > 0 || link.jitterMs > 0
          ? `delay ${link.delayMs}ms${link.jitterMs > 0 ? ` ${link.jitterMs}ms` : ''}`
          : '',
        link.lossPercent > 0 ? `loss ${link.lossPercent}%` : '',
        link.rateMbit === undefined ? '' : `rate ${link.rateMbit}mbit`,
      ].filter(Boolean);
      for (const device of interfaces)
        commands.push(`tc qdisc replace dev ${device} root netem ${parts.join(' ')}`);
      // netem draws its jitter in the kernel: no seed reaches it, so say so where it matters.
      const unseeded = link.jitterMs > 0 ? ' (jitter drawn by the kernel, not seeded)' : '';
      description.push(
        `${name}: netem ${parts.join(' ')} on ${interfaces.join(' and ')}${unseeded}`,
      );
      continue;
    }
    const [a, b] = interfaces;
    const parts: string[] = [];
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      if (link.lossPercent > 0) {
        commands.push(
          `iptables -t mangle -A FORWARD -i ${from} -o ${to} -m statistic --mode random --probability ${(link.lossPercent / 100).toFixed(6)} -j DROP`,
        );
      }
      if (link.delayMs > 0 || link.jitterMs > 0) {
        commands.push(
          `iptables -t mangle -A FORWARD -i ${from} -o ${to} -j NFQUEUE --queue-num ${queue}`,
        );
      }
    }
    if (link.lossPercent > 0) parts.push(`iptables statistic loss ${link.lossPercent}%`);
    if (link.delayMs > 0 || link.jitterMs > 0) {
      delayers.push({ queue, delayMs: link.delayMs, jitterMs: link.jitterMs, jitterSeed });
      const seeded = link.jitterMs > 0 ? `, jitter seed ${jitterSeed}` : '';
      parts.push(
        `NFQUEUE link-delay ${link.delayMs}ms +-${link.jitterMs}ms (queue ${queue}${seeded})`,
      );
    }
    if (link.rateMbit !== undefined) {
      for (const device of interfaces) commands.push(tbf(device, link.rateMbit));
      parts.push(`tbf ${link.rateMbit}mbit`);
    }
    description.push(`${name}: ${parts.join(', ')} on ${interfaces.join(' and ')}`);
  }
  return { mechanism: netemAvailable ? 'netem' : 'fallback', commands, delayers, description };
}
