import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../harness/util/seeded-random.ts';
import {
  delayerCommand,
  linkJitterSeed,
  planImpairments,
  type LinkOnInterfaces,
} from './link-impairment.ts';

const link = (over: Partial<LinkOnInterfaces['link']>): LinkOnInterfaces => ({
  link: {
    router: 'metro',
    zones: ['sovereign', 'dc2'],
    delayMs: 0,
    jitterMs: 0,
    lossPercent: 0,
    ...over,
  },
  interfaces: ['eth0', 'eth1'],
  queue: 100,
  jitterSeed: 4_242,
});

describe('planImpairments', () => {
  it('does nothing for links without impairments', () => {
    expect(planImpairments([link({})], false)).toEqual({
      mechanism: 'none',
      commands: [],
      delayers: [],
      description: [],
    });
  });

  it('puts a netem qdisc on both legs when the kernel has netem', () => {
    const plan = planImpairments(
      [link({ delayMs: 20, jitterMs: 2, lossPercent: 1, rateMbit: 100 })],
      true,
    );
    expect(plan.mechanism).toBe('netem');
    expect(plan.commands).toEqual([
      'tc qdisc replace dev eth0 root netem delay 20ms 2ms loss 1% rate 100mbit',
      'tc qdisc replace dev eth1 root netem delay 20ms 2ms loss 1% rate 100mbit',
    ]);
    expect(plan.delayers).toEqual([]);
    expect(plan.description[0]).toContain('(jitter drawn by the kernel, not seeded)');
  });

  it('falls back to statistic loss, an NFQUEUE delayer and tbf, in both directions', () => {
    const plan = planImpairments([link({ delayMs: 5, lossPercent: 2.5, rateMbit: 50 })], false);
    expect(plan.mechanism).toBe('fallback');
    expect(plan.delayers).toEqual([{ queue: 100, delayMs: 5, jitterMs: 0, jitterSeed: 4_242 }]);
    expect(plan.commands).toEqual([
      'iptables -t mangle -A FORWARD -i eth0 -o eth1 -m statistic --mode random --probability 0.025000 -j DROP',
      'iptables -t mangle -A FORWARD -i eth0 -o eth1 -j NFQUEUE --queue-num 100',
      'iptables -t mangle -A FORWARD -i eth1 -o eth0 -m statistic --mode random --probability 0.025000 -j DROP',
      'iptables -t mangle -A FORWARD -i eth1 -o eth0 -j NFQUEUE --queue-num 100',
      'tc qdisc replace dev eth0 root tbf rate 50mbit burst 31250 latency 50ms',
      'tc qdisc replace dev eth1 root tbf rate 50mbit burst 31250 latency 50ms',
    ]);
    expect(plan.description[0]).toContain('NFQUEUE link-delay 5ms');
    expect(plan.description[0]).not.toContain('seed');
  });

  it("names the fallback's jitter seed where the link has jitter", () => {
    const plan = planImpairments([link({ delayMs: 5, jitterMs: 2 })], false);
    expect(plan.delayers).toEqual([{ queue: 100, delayMs: 5, jitterMs: 2, jitterSeed: 4_242 }]);
    expect(plan.description[0]).toContain(
      'NFQUEUE link-delay 5ms +-2ms (queue 100, jitter seed 4242)',
    );
  });

  it('needs no delayer for a link with loss only', () => {
    const plan = planImpairments([link({ lossPercent: 10 })], false);
    expect(plan.delayers).toEqual([]);
    expect(plan.commands.every((c) => !c.includes('NFQUEUE'))).toBe(true);
  });
});

describe('linkJitterSeed', () => {
  const metro = link({ delayMs: 5, jitterMs: 2 }).link;
  const router = (seed: number, name = 'metro') =>
    new SeededRandom(seed).fork('link-latency').fork(`sim ${name}`);

  it('follows the run seed: the same seed gives the same, another seed another', () => {
    expect(linkJitterSeed(router(42), metro)).toBe(linkJitterSeed(router(42), metro));
    expect(linkJitterSeed(router(42), metro)).not.toBe(linkJitterSeed(router(43), metro));
  });

  it('differs between the links of a router and between routers', () => {
    const other = { ...metro, zones: ['sovereign', 'exchange'] as [string, string] };
    expect(linkJitterSeed(router(42), metro)).not.toBe(linkJitterSeed(router(42), other));
    expect(linkJitterSeed(router(42), metro)).not.toBe(
      linkJitterSeed(router(42, 'carrier'), metro),
    );
  });

  it('is a whole number the delayer takes (0 to 2^32 - 1)', () => {
    const seed = linkJitterSeed(router(7), metro);
    expect(Number.isInteger(seed) && seed >= 0 && seed <= 0xffff_ffff).toBe(true);
  });
});

describe('delayerCommand', () => {
  it('gives link-delay its queue, delay, jitter and seed, in that order', () => {
    expect(delayerCommand({ queue: 101, delayMs: 40, jitterMs: 2.5, jitterSeed: 99 })).toEqual([
      'link-delay',
      '101',
      '40',
      '2.5',
      '99',
    ]);
  });
});

/** The delayer's draws (image/link-delay's hold_times_s), run by the host's python3. */
describe('link-delay jitter draws', () => {
  const script = String.raw`
import importlib.machinery, importlib.util, itertools, json, sys
loader = importlib.machinery.SourceFileLoader("link_delay", sys.argv[1])
spec = importlib.util.spec_from_loader("link_delay", loader)
module = importlib.util.module_from_spec(spec)
loader.exec_module(module)
first = lambda seed: list(itertools.islice(module.hold_times_s(seed, 5.0, 2.0), 50))
print(json.dumps({"again": first(7) == first(7), "seven": first(7), "eight": first(8)}))
`;
  const draws = JSON.parse(
    execFileSync('python3', ['-c', script, join(import.meta.dirname, 'image', 'link-delay')], {
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      encoding: 'utf8',
    }),
  ) as { again: boolean; seven: number[]; eight: number[] };

  it('repeat with the seed and change with another', () => {
    expect(draws.again).toBe(true);
    expect(draws.seven).not.toEqual(draws.eight);
  });

  it('hold each packet for the delay +- the jitter, in seconds, and vary', () => {
    for (const hold of [...draws.seven, ...draws.eight]) {
      expect(hold).toBeGreaterThanOrEqual(0.003);
      expect(hold).toBeLessThanOrEqual(0.007);
    }
    expect(new Set(draws.seven).size).toBeGreaterThan(40);
  });
});
