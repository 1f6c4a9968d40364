import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { verdictOf, type Evidence } from '../../harness/checks/verdict.ts';
import { describeAddress, isDomestic } from '../encapsulation-check/encapsulation-checks.ts';
import { unlessBlind } from '../network-world/exchange-capture.ts';
import { clearFilter, espFilter } from './ipsec-commands.ts';
import { betweenSites, describeCrossing, espProtocol, type Crossing } from './ipsec-packets.ts';
import {
  observed,
  type ExchangeObservation,
  type TunnelEndObservation,
  type TunnelObservation,
} from './ipsec-observations.ts';
import { describePolicy, describeState } from './ipsec-xfrm.ts';

/** The ordered endpoint pairs of the SAs the routers' kernels hold whose both ends are domestic. */
export function domesticSaPairs(t: TunnelObservation): Set<string> {
  return new Set(
    t.ends.flatMap((end) =>
      end.states
        .filter((s) => isDomestic(t.zones, s.source) && isDomestic(t.zones, s.destination))
        .map((s) => `${s.source}>${s.destination}`),
    ),
  );
}

/** Judges the exchange's crossings: what may cross, what may not. */
export function judgeCrossings(
  crossings: readonly Crossing[],
  t: TunnelObservation,
): { sealed: Crossing[]; problems: string[] } {
  const pairs = domesticSaPairs(t);
  const { a, b } = t.sites;
  const sealed: Crossing[] = [];
  const problems: string[] = [];
  for (const c of crossings) {
    const pair = `${c.source ?? ''}>${c.destination ?? ''}`;
    if (c.kind === 'esp' && pairs.has(pair)) sealed.push(c);
    else if (c.kind === 'esp')
      problems.push(
        `ESP outside the domestic tunnel: ${describeCrossing(c)} (${describeAddress(t.zones, c.source ?? '')} > ${describeAddress(t.zones, c.destination ?? '')})`,
      );
    else if (c.kind === 'clear' && betweenSites(c, a.ranges, b.ranges))
      problems.push(`in clear between the sites: ${describeCrossing(c)}`);
  }
  if (sealed.length === 0)
    problems.push(
      `no ESP crossed between the domestic endpoints of the routers' SAs (${[...pairs].join(', ') || 'none'})`,
    );
  return { sealed, problems };
}

function exchangeEvidence(x: ExchangeObservation, t: TunnelObservation): Evidence {
  const [a, b] = t.ends;
  const esp =
    a === undefined || b === undefined
      ? ''
      : `; the ESP between the endpoints: '${espFilter(a.endpoint, b.endpoint)}'`;
  return {
    source: `tcpdump on every leg of ${x.router} (the exchange), every protocol; read with tcpdump -nn -r ${x.attachment} FILTER, the clear crossings between the sites: '${clearFilter(t.sites.a.ranges, t.sites.b.ranges)}'${esp}`,
    excerpt: x.tcpdump.slice(0, 12).join('\n') || '(no packets)',
    attachment: x.attachment,
  };
}

function kernelEvidence(ends: readonly TunnelEndObservation[]): Evidence {
  return {
    source: 'ip xfrm state list and ip xfrm policy list, in each site router (keys left out)',
    excerpt: ends
      .map((e) =>
        [
          `${e.router} (endpoint ${e.endpoint}):`,
          ...e.states.map((s) => `  sa ${describeState(s)}`),
          ...e.policies.map((p) => `  policy ${describePolicy(p)}`),
        ].join('\n'),
      )
      .join('\n'),
  };
}

/** Problems with the SAs' and policies' endpoints: every one domestic, each SA held at both ends. */
export function endpointProblems(t: TunnelObservation): string[] {
  const problems: string[] = [];
  for (const end of t.ends) {
    if (end.states.length === 0) problems.push(`${end.router} holds no SA`);
    for (const s of end.states) {
      for (const [role, address] of [
        ['source', s.source],
        ['destination', s.destination],
      ] as const)
        if (!isDomestic(t.zones, address))
          problems.push(
            `${end.router}: SA ${s.spi} has its ${role} ${describeAddress(t.zones, address)} outside every domestic CIDR`,
          );
      const twin = t.ends.some(
        (other) =>
          other.router !== end.router &&
          other.states.some(
            (o) => o.spi === s.spi && o.source === s.source && o.destination === s.destination,
          ),
      );
      if (!twin)
        problems.push(`${end.router}: SA ${s.spi} (${describeState(s)}) has no twin at the peer`);
    }
    for (const p of end.policies) {
      const tmpl = p.template;
      if (tmpl === undefined) continue;
      for (const address of [tmpl.source, tmpl.destination])
        if (!isDomestic(t.zones, address))
          problems.push(
            `${end.router}: policy ${describePolicy(p)} sends through ${describeAddress(t.zones, address)}, outside every domestic CIDR`,
          );
    }
  }
  return problems;
}

export const ipsecChecks: Check[] = [
  {
    name: 'nothing-crosses-outside-esp',
    description: `While the harness sends between every subnet of the two sites (and the host at site A sends to site B), the exchange carries only ESP (IP protocol ${String(espProtocol)}) between the two domestic endpoints of the SAs the site routers' kernels hold, and no packet in clear from one site's ranges to the other's; the capture holds the canary the harness sent in clear across the exchange outside the tunnel (the control)`,
    verify(history) {
      const x = lastObservation(history, observed.exchange).data;
      const t = lastObservation(history, observed.tunnel).data;
      return withPositiveControl(
        {
          seen: x.canarySeen,
          what: `the canary ${x.canary} the harness sent in clear across ${x.router}, outside the tunnel`,
        },
        () => {
          const { sealed, problems } = judgeCrossings(x.crossings, t);
          return unlessBlind(
            x,
            verdictOf(
              problems.length === 0,
              `${String(sealed.reduce((n, c) => n + c.packets, 0))} packet(s) crossed between the sites, all ESP between ${[...domesticSaPairs(t)].join(', ')}; nothing in clear between ${t.sites.a.ranges.join(', ')} and ${t.sites.b.ranges.join(', ')}`,
              problems.join('; '),
              {
                expected: `only IP protocol ${String(espProtocol)} between the routers' domestic SA endpoints; no other packet between ${t.sites.a.ranges.join(', ')} and ${t.sites.b.ranges.join(', ')}`,
                observed: x.crossings.map(describeCrossing).join('; ') || '(no packets)',
                evidence: [
                  exchangeEvidence(x, t),
                  kernelEvidence(t.ends),
                  { source: 'what the harness and the host sent', excerpt: x.sent.join('\n') },
                ],
              },
            ),
          );
        },
      );
    },
  },
  {
    name: 'tunnel-endpoints-domestic',
    description:
      "Every SA the site routers' kernels hold (ip xfrm state) has both its endpoints inside a sovereign zone of the harness's topology and is held by both routers, and every policy template sends through domestic endpoints only",
    verify(history) {
      const t = lastObservation(history, observed.tunnel).data;
      const problems = endpointProblems(t);
      const domestic = t.zones.filter((z) => z.kind === 'sovereign').flatMap((z) => z.cidrs);
      const states = t.ends.flatMap((e) => e.states.map((s) => `${e.router} ${describeState(s)}`));
      return verdictOf(
        problems.length === 0,
        `${String(states.length)} SA(s), every endpoint domestic and held at both ends: ${states.join(', ')}`,
        problems.join('; '),
        {
          expected: `SA and template endpoints inside ${domestic.join(', ')} (the topology's sovereign zones)`,
          observed: states.join('; ') || '(no SAs)',
          evidence: [kernelEvidence(t.ends)],
        },
      );
    },
  },
];
