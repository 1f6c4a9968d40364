import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { verdictOf, type Evidence } from '../../harness/checks/verdict.ts';
import { addressInCidr, mustParseCidr, parseAddress } from '../../harness/util/cidr.ts';
import { vxlanPort } from '../../sims/router/vxlan-tunnel.ts';
import { unlessBlind } from '../network-world/exchange-capture.ts';
import {
  observed,
  type UnderlayCaptureObservation,
  type UnderlayFlow,
  type ZoneFacts,
} from './encapsulation-evidence.ts';

/** The zone of the topology an address lies in, or undefined when it lies in none. */
export function zoneOf(zones: readonly ZoneFacts[], address: string): ZoneFacts | undefined {
  const value = parseAddress(address);
  if (value === undefined) return undefined;
  return zones.find((z) => z.cidrs.some((c) => addressInCidr(value, mustParseCidr(c))));
}

/** Domestic: inside a CIDR of a sovereign zone of the harness's own topology. */
export function isDomestic(zones: readonly ZoneFacts[], address: string): boolean {
  return zoneOf(zones, address)?.kind === 'sovereign';
}

/** An address with the zone of the topology it lies in, for verdicts. */
export function describeAddress(zones: readonly ZoneFacts[], address: string): string {
  const zone = zoneOf(zones, address);
  return zone === undefined
    ? `${address} (in no zone of the topology)`
    : `${address} (zone ${zone.name}, ${zone.kind}, ${zone.jurisdiction})`;
}

function describeFlow(flow: UnderlayFlow): string {
  switch (flow.kind) {
    case 'vxlan':
      return `vxlan ${flow.source ?? ''} > ${flow.destination ?? ''} vni ${String(flow.vni)}: ${flow.packets}`;
    case 'ipv4':
      return `${flow.protocol ?? ''} ${flow.source ?? ''} > ${flow.destination ?? ''}${flow.port === undefined ? '' : ` port ${flow.port}`}: ${flow.packets}`;
    case 'arp':
      return `arp: ${flow.packets}`;
    case 'ipv6-link-local':
      return `ipv6 neighbour discovery ${flow.source ?? ''} > ${flow.destination ?? ''}: ${flow.packets}`;
    default:
      return `ethertype ${flow.etherType ?? '?'}: ${flow.packets}`;
  }
}

function captureEvidence(c: UnderlayCaptureObservation): Evidence {
  return {
    source: `tcpdump on every leg of ${c.router} (the exchange), every protocol`,
    excerpt: c.tcpdump.slice(0, 12).join('\n') || '(no packets)',
    attachment: 'underlay.pcap',
  };
}

function canaryControl(c: UnderlayCaptureObservation) {
  return {
    seen: c.canarySeen,
    what: `the canary ${c.canary} the harness sent in clear from one site to the other across ${c.router}`,
  };
}

export const encapsulationChecks: Check[] = [
  {
    name: 'site-traffic-only-in-tunnel',
    description: `While the sites exchange traffic, the exchange carries only VXLAN (UDP ${vxlanPort}) between the two domestic tunnel endpoints the site routers built, with the harness's own site-to-site request inside (behind that request as a canary)`,
    verify(history) {
      const c = lastObservation(history, observed.capture).data;
      const t = lastObservation(history, observed.tunnels).data;
      return withPositiveControl(canaryControl(c), () => {
        const pairs = new Set(
          t.routers.flatMap((r) =>
            r.tunnels
              .filter((tn) => isDomestic(t.zones, tn.local) && isDomestic(t.zones, tn.remote))
              .flatMap((tn) => [`${tn.local}>${tn.remote}`, `${tn.remote}>${tn.local}`]),
          ),
        );
        const outside = c.flows.filter(
          (f) =>
            f.kind === 'ipv4' ||
            f.kind === 'other' ||
            (f.kind === 'vxlan' && !pairs.has(`${f.source ?? ''}>${f.destination ?? ''}`)),
        );
        const encapsulated = c.flows.filter((f) => f.kind === 'vxlan' && !outside.includes(f));
        const problems = [
          ...outside.map((f) => `outside the domestic tunnel: ${describeFlow(f)}`),
          ...(c.canaryInTunnel
            ? []
            : ["the harness's own site-to-site request crossed outside every tunnel"]),
          ...(encapsulated.length === 0
            ? ['no frame crossed between the domestic tunnel endpoints']
            : []),
        ];
        return unlessBlind(
          c,
          verdictOf(
            problems.length === 0,
            `${encapsulated.reduce((n, f) => n + f.packets, 0)} packets crossed, all VXLAN between ${[...pairs].filter((p, i) => i % 2 === 0).join(', ')}; the canary rode inside`,
            problems.join('; '),
            {
              expected: `only UDP ${vxlanPort} between the domestic endpoints of the routers' tunnels (ARP and IPv6 neighbour discovery between neighbours aside), the harness's request inside`,
              observed: c.flows.map(describeFlow).join('; ') || '(no packets)',
              evidence: [captureEvidence(c)],
            },
          ),
        );
      });
    },
  },
  {
    name: 'tunnel-endpoints-domestic',
    description:
      "Both endpoints of every VXLAN tunnel the site routers' kernels hold, and every endpoint their forwarding databases send the VNI's frames to (a flood list beside the remote), are addresses inside a sovereign zone of the harness's topology, and each tunnel ends at a peer router's tunnel of the same VNI",
    verify(history) {
      const t = lastObservation(history, observed.tunnels).data;
      const all = t.routers.flatMap((r) => r.tunnels.map((tn) => ({ router: r.router, ...tn })));
      const problems: string[] = [];
      if (all.length === 0) problems.push('no site router holds a VXLAN tunnel');
      for (const tn of all) {
        const name = `${tn.router} ${tn.device} (vni ${tn.vni})`;
        for (const [end, address] of [
          ['local', tn.local],
          ['remote', tn.remote],
        ] as const)
          if (!isDomestic(t.zones, address))
            problems.push(
              `${name}: ${end} endpoint ${describeAddress(t.zones, address)} is outside every domestic CIDR`,
            );
        for (const address of tn.destinations)
          if (address !== tn.remote && !isDomestic(t.zones, address))
            problems.push(
              `${name}: floods its frames also to ${describeAddress(t.zones, address)}, outside every domestic CIDR`,
            );
        if (!all.some((p) => p.router !== tn.router && p.vni === tn.vni && p.local === tn.remote))
          problems.push(`${name}: no other router's tunnel of vni ${tn.vni} ends at ${tn.remote}`);
      }
      const domestic = t.zones.filter((z) => z.kind === 'sovereign').flatMap((z) => z.cidrs);
      return verdictOf(
        problems.length === 0,
        `${all.length} tunnel end(s), every endpoint domestic: ${all.map((tn) => `${tn.router} ${tn.local}->${tn.remote}`).join(', ')}`,
        problems.join('; '),
        {
          expected: `local and remote endpoints inside ${domestic.join(', ')} (the topology's sovereign zones)`,
          observed:
            all
              .map(
                (tn) =>
                  `${tn.router}: ${tn.device} vni ${tn.vni} ${describeAddress(t.zones, tn.local)} -> ${describeAddress(t.zones, tn.remote)} port ${tn.port}, sending to ${tn.destinations.map((d) => describeAddress(t.zones, d)).join(', ') || 'no endpoint'}`,
              )
              .join('; ') || '(no tunnels)',
          evidence: [
            {
              source:
                'ip -d -j link show type vxlan and bridge -j fdb show dev DEVICE, in each site router',
              excerpt: JSON.stringify(t.routers),
            },
          ],
        },
      );
    },
  },
  {
    name: 'inner-payload-sealed',
    description:
      "What the stack sends between the sites is sealed inside the tunnel (a sovereign envelope or TLS): none of its payloads' bytes appear anywhere in the exchange capture, which sees the harness's clear canary",
    verify(history) {
      const c = lastObservation(history, observed.capture).data;
      return withPositiveControl(canaryControl(c), () => {
        const seen = c.relayStreams.filter((s) => s.sealedAs !== 'unseen');
        if (c.relayStreams.length > 0 && seen.length === 0)
          return {
            status: 'unknown',
            summary: `the capture holds no body byte of the ${c.relayStreams.length} relay stream(s) that crossed, so it cannot tell how they were sealed${c.droppedByKernel === undefined || c.droppedByKernel === 0 ? '' : ` (tcpdump missed ${String(c.droppedByKernel)} packet(s) the kernel dropped)`}`,
          };
        const clear = c.relayStreams.filter((s) => s.sealedAs === 'clear');
        const problems = [
          ...(c.payloadsInCapture.length > 0
            ? [`payload bytes readable at the exchange: ${c.payloadsInCapture.join(', ')}`]
            : []),
          ...clear.map((s) => `${s.source} > ${s.destination} (${s.where}) in clear: ${s.head}`),
          ...(c.relayStreams.length === 0
            ? ["no stream to the receiver's relay crossed the exchange"]
            : []),
        ];
        return unlessBlind(
          c,
          verdictOf(
            problems.length === 0,
            `${seen.length} relay stream(s) seen crossing, sealed as ${[...new Set(seen.map((s) => s.sealedAs))].join(', ')}${seen.length < c.relayStreams.length ? ` (${c.relayStreams.length - seen.length} more whose body the capture missed)` : ''}; no payload of ${c.payloadIds.join(', ')} is readable`,
            problems.join('; '),
            {
              expected: `no bytes of ${c.payloadIds.join(', ')} in the capture; every relay stream an envelope or TLS`,
              observed: `${c.packets} packets; relay streams: ${c.relayStreams.map((s) => `${s.source} ${s.where} ${s.sealedAs} ${s.bytes} B`).join(', ') || 'none'}; payloads readable: ${c.payloadsInCapture.join(', ') || 'none'}`,
              evidence: [
                captureEvidence(c),
                {
                  source: "first bytes of each relay stream's body",
                  excerpt: c.relayStreams.map((s) => s.head).join('\n') || '(none)',
                },
              ],
            },
          ),
        );
      });
    },
  },
];
