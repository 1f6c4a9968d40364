import { describe, expect, it } from 'vitest';
import { planImpairments, type LinkOnInterfaces } from './link-impairment.ts';

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
  });

  it('falls back to statistic loss, an NFQUEUE delayer and tbf, in both directions', () => {
    const plan = planImpairments([link({ delayMs: 5, lossPercent: 2.5, rateMbit: 50 })], false);
    expect(plan.mechanism).toBe('fallback');
    expect(plan.delayers).toEqual([{ queue: 100, delayMs: 5, jitterMs: 0 }]);
    expect(plan.commands).toEqual([
      'iptables -t mangle -A FORWARD -i eth0 -o eth1 -m statistic --mode random --probability 0.025000 -j DROP',
      'iptables -t mangle -A FORWARD -i eth0 -o eth1 -j NFQUEUE --queue-num 100',
      'iptables -t mangle -A FORWARD -i eth1 -o eth0 -m statistic --mode random --probability 0.025000 -j DROP',
      'iptables -t mangle -A FORWARD -i eth1 -o eth0 -j NFQUEUE --queue-num 100',
      'tc qdisc replace dev eth0 root tbf rate 50mbit burst 31250 latency 50ms',
      'tc qdisc replace dev eth1 root tbf rate 50mbit burst 31250 latency 50ms',
    ]);
    expect(plan.description[0]).toContain('NFQUEUE link-delay 5ms');
  });

  it('needs no delayer for a link with loss only', () => {
    const plan = planImpairments([link({ lossPercent: 10 })], false);
    expect(plan.delayers).toEqual([]);
    expect(plan.commands.every((c) => !c.includes('NFQUEUE'))).toBe(true);
  });
});
