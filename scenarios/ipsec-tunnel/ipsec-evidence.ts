import { randomBytes } from 'node:crypto';
import { machineProbe } from '../../harness/checks/probes/machine-probe.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { asRouter, type StartedRouter } from '../../sims/router/started-router.ts';
import {
  readPoliciesCommand,
  readStatesCommand,
  tunnelEndCommands,
  tunnelEnds,
  type TunnelKeys,
} from './ipsec-commands.ts';
import { readCrossings } from './ipsec-packets.ts';
import { datagramCommand } from './ipsec-probes.ts';
import {
  observed,
  type ExchangeObservation,
  type SiteFacts,
  type TunnelObservation,
} from './ipsec-observations.ts';
import { aead, exchangeRouter, policyRanges, sites } from './ipsec-plan.ts';
import { parseXfrmPolicies, parseXfrmStates } from './ipsec-xfrm.ts';

const execTimeoutMs = 15_000;

/**
 * The tunnel's keys. The SPIs are the run's seeded draws (they name the SAs in the capture and
 * replay must send the same); the keys are secrets, so they come from node:crypto per run, never
 * from the seed, which is printed and stored (harness/util/seeded-random.ts).
 */
export function drawTunnelKeys(context: ScenarioContext): TunnelKeys {
  const spis = context.random.stream('ipsec-spis');
  const aToB = spis.int(0x1000, 0x7fff_ffff);
  const bToA = spis.int(0x8000_0000, 0xffff_ffff);
  const key = () => randomBytes(aead.keyBytes).toString('hex');
  return { aToB: { spi: aToB, keyHex: key() }, bToA: { spi: bToA, keyHex: key() } };
}

function siteRouter(context: ScenarioContext, name: string): StartedRouter {
  return asRouter(context.world.sim(name));
}

/**
 * Keys the tunnel on both site routers. Each router's endpoint is its address on its own zone
 * (the topology's `zone` of the router); the policies name the plan's ranges.
 */
export async function keyTunnel(context: ScenarioContext, keys: TunnelKeys): Promise<void> {
  const a = siteRouter(context, sites.a.router);
  const b = siteRouter(context, sites.b.router);
  const ends = tunnelEnds(
    { endpoint: a.address, ranges: policyRanges.a },
    { endpoint: b.address, ranges: policyRanges.b },
    keys,
  );
  for (const [router, end] of [
    [a, ends.a],
    [b, ends.b],
  ] as const)
    for (const command of tunnelEndCommands(end)) {
      const ran = await router.container.exec(command, { timeoutMs: execTimeoutMs });
      if (ran.exitCode !== 0)
        // The command line holds the key: name the router and the step, not the line.
        throw new SovhError(
          'SCENARIO_STEP_FAILED',
          `router ${router.name}: ip xfrm ${command[2] ?? ''} ${command[3] ?? ''} failed: ${ran.stderr.trim() || `exit ${String(ran.exitCode)}`}`,
        );
    }
}

/** A site as the world has it: the ranges of its zones, from the topology. */
function siteFacts(
  context: ScenarioContext,
  site: { router: string; zones: readonly string[] },
): SiteFacts {
  const zones = context.world.topology.zones.filter((z) => site.zones.includes(z.name));
  return {
    router: site.router,
    zones: zones.map((z) => z.name),
    ranges: zones.flatMap((z) => [...z.cidrs]),
  };
}

/** Reads the SAs and policies back from both site routers' kernels, beside the topology's zones. */
export async function observeTunnel(context: ScenarioContext): Promise<TunnelObservation> {
  const ends = await Promise.all(
    [sites.a.router, sites.b.router].map(async (name) => {
      const router = siteRouter(context, name);
      const [states, policies] = await Promise.all([
        router.container.run([...readStatesCommand], { timeoutMs: execTimeoutMs }),
        router.container.run([...readPoliciesCommand], { timeoutMs: execTimeoutMs }),
      ]);
      return {
        router: name,
        endpoint: router.address,
        states: parseXfrmStates(states.stdout),
        policies: parseXfrmPolicies(policies.stdout),
      };
    }),
  );
  return context.observe(observed.tunnel, {
    zones: context.world.topology.zones.map((z) => ({
      name: z.name,
      kind: z.kind,
      jurisdiction: z.jurisdiction,
      cidrs: [...z.cidrs],
    })),
    sites: { a: siteFacts(context, sites.a), b: siteFacts(context, sites.b) },
    ends,
  });
}

/** A target at each zone of a site: the site router's own address there. */
function targetsAt(context: ScenarioContext, site: { router: string; zones: readonly string[] }) {
  const router = siteRouter(context, site.router);
  return router.legs.filter((l) => site.zones.includes(l.zone)).map((l) => l.address);
}

/**
 * Sends between the sites while the exchange router captures on every leg (all protocols):
 * first the positive control, a datagram holding the canary from the exchange's side A to its
 * side B, in clear and outside every policy; then a datagram from each zone of each site to each
 * zone of the other (its router's address there), and from the host at site A (its machine's
 * probe, through the host's own fence) to each zone of site B.
 */
export async function captureExchange(
  context: ScenarioContext,
  options: { host: HostVm; canarySides: { from: string; toRouter: string; toZone: string } },
): Promise<ExchangeObservation> {
  const router = siteRouter(context, exchangeRouter);
  const draws = context.random.stream('ipsec-markers');
  const canary = `sovh-canary-${draws.hex(8)}`;
  const marker = `sovh-site-${draws.hex(8)}`;
  const targets = { a: targetsAt(context, sites.a), b: targetsAt(context, sites.b) };
  const sent: string[] = [];
  const capture = await router.startCapture('exchange');
  try {
    const canaryTarget = siteRouter(context, options.canarySides.toRouter).leg(
      options.canarySides.toZone,
    ).address;
    await context.world
      .observer(options.canarySides.from)
      .run(datagramCommand([canaryTarget], canary), { timeoutMs: execTimeoutMs });
    sent.push(`observer of ${options.canarySides.from} > ${canaryTarget}: the canary, in clear`);
    for (const [from, to] of [
      [sites.a, targets.b],
      [sites.b, targets.a],
    ] as const)
      for (const zone of from.zones) {
        await context.world
          .observer(zone)
          .run(datagramCommand(to, marker), { timeoutMs: execTimeoutMs });
        sent.push(`observer of ${zone} > ${to.join(', ')}`);
      }
    const probe = await machineProbe(context.world, options.host.machine);
    const fromHost = await probe.exec(datagramCommand(targets.b, marker), {
      timeoutMs: execTimeoutMs,
    });
    sent.push(
      `host ${options.host.name} (${options.host.address}) > ${targets.b.join(', ')}${fromHost.exitCode === 0 ? '' : `: its send failed (${fromHost.stderr.trim()})`}`,
    );
  } finally {
    await capture.stop();
  }
  const seen = await capture.stop();
  const attachment = 'exchange.pcap';
  context.attach(attachment, seen.pcap, 'application/vnd.tcpdump.pcap', {
    description: `tcpdump on every leg of ${exchangeRouter} while the sites exchanged datagrams`,
  });
  return context.observe(observed.exchange, {
    router: exchangeRouter,
    device: seen.device,
    packets: seen.packets,
    canary,
    ...readCrossings(seen.pcap, canary),
    sent,
    tcpdump: seen.lines.slice(0, 40),
    ...(seen.droppedByKernel === undefined ? {} : { droppedByKernel: seen.droppedByKernel }),
    attachment,
  });
}
