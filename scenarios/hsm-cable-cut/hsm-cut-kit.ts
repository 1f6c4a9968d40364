import { awaitStoreServing } from '../../harness/checks/probes/custody-evidence.ts';
import {
  runStoreLoad,
  stopStoreLoad,
  type LoadRequest,
} from '../../harness/checks/probes/store-load.ts';
import { storeRoundTrip } from '../../harness/checks/probes/store-probe.ts';
import { storePort } from '../../harness/contract/site-file.ts';
import { hsmRefusalBound } from '../../harness/contract/key-custody-bounds.ts';
import { parameter } from '../../harness/faults/fault-parameters.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { formatDuration } from '../../harness/util/duration.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import type { EvidenceKit, FaultMoment, KitWatch, PlannedFault } from '../incident/evidence-kit.ts';
import { faultPlan } from './hsm-cable-cut-checks.ts';
import {
  agentProcess,
  faultLoad,
  type CutWindow,
  observeAfterCuts,
  type StandingObject,
} from './hsm-cable-cut-evidence.ts';

/** How long a host may take to serve its store (a loaded machine boots slowly). */
const servingTimeoutMs = 180_000;

/** The hosts an HSM serves: those of its cell (all hosts of its zone when it has none). */
function hostsOf(context: ScenarioContext, hsm: string): HostVm[] {
  const service = context.world.topology.services.find((s) => s.name === hsm);
  return context.world
    .allHosts()
    .filter((h) =>
      service?.cell === undefined ? h.spec.zone === service?.zone : h.spec.cell === service.cell,
    );
}

class HsmCutWatch implements KitWatch {
  private readonly cuts: CutWindow[] = [];
  private open: Partial<CutWindow> | undefined;
  private load: Promise<LoadRequest[]> | undefined;
  private readonly stopFile = `/tmp/stop-incident-load-${Date.now()}`;

  constructor(
    private readonly context: ScenarioContext,
    private readonly hsm: string,
    private readonly hosts: readonly HostVm[],
    private readonly standing: ReadonlyMap<string, StandingObject>,
    private readonly zone: string,
  ) {}

  private get observer() {
    return this.context.world.observer(this.zone);
  }

  during(): Promise<void> {
    const targets = this.hosts.map((h) => {
      const s = this.standing.get(h.name);
      return {
        host: h.name,
        address: h.address,
        port: storePort,
        ...(s === undefined ? {} : { standing: { objectId: s.objectId, payload: s.payload } }),
      };
    });
    // The load runs until the schedule ends (finish stops it); its limit only bounds a lost stop.
    this.load = runStoreLoad(
      this.observer,
      targets,
      faultPlan.loadLimitMs * 5,
      `incident-load-${Date.now()}`,
      this.stopFile,
    );
    return this.load.then(() => undefined);
  }

  at(moment: FaultMoment, fault: PlannedFault): Promise<void> {
    if (fault.type !== 'hsm-cut' || fault.parameters['hsm'] !== this.hsm) return Promise.resolve();
    const now = Date.now();
    if (moment === 'before-fault') this.open = { cutBeganAtMs: now };
    else if (moment === 'after-fault' && this.open !== undefined) this.open.cutAtMs = now;
    else if (moment === 'before-heal' && this.open !== undefined) this.open.healBeganAtMs = now;
    else if (moment === 'after-heal' && this.open?.cutBeganAtMs !== undefined) {
      const { cutBeganAtMs, cutAtMs = cutBeganAtMs, healBeganAtMs = now } = this.open;
      this.cuts.push({ cutBeganAtMs, cutAtMs, healBeganAtMs, healedAtMs: now });
      this.open = undefined;
    }
    return Promise.resolve();
  }

  async finish(): Promise<void> {
    const { context, hosts, standing } = this;
    await stopStoreLoad(this.observer, this.stopFile);
    const requests = await context.step(
      'the load runs through the faults and the heals',
      async () => {
        const done = (await this.load) ?? [];
        context.observe(faultLoad, {
          cuts: this.cuts,
          standing: Object.fromEntries([...standing].map(([host, s]) => [host, s.objectId])),
          requests: done,
        });
        return done;
      },
    );
    await observeAfterCuts(context, this.observer, hosts, requests, standing);
  }

  async abort(): Promise<void> {
    await stopStoreLoad(this.observer, this.stopFile).catch(() => undefined);
    await this.load?.catch(() => undefined);
  }
}

/**
 * The evidence of hsm-cable-cut's load checks, around any schedule: every host the HSM serves
 * stores an object, a store load from the zone runs through the whole schedule (writes, reads of
 * the standing object), each cut of that HSM's cable is timed from the schedule (begun, done,
 * heal begun, healed), and after it the disks, the secure logs and the hosts' processes are read.
 */
export const hsmCutKit: EvidenceKit = {
  name: 'hsm-cut-load',
  description:
    "a store load through every cut of an HSM's cable, with the disks, the secure logs and the hosts' processes after it",
  needs: [],
  sections: ['hsm', 'store'],
  contractBounds: [hsmRefusalBound],
  parameters: { hsm: parameter.node('hsm', 'the HSM whose cuts are judged') },
  planProblems(plan, values) {
    const cuts = plan.faults.filter(
      (f) => f.type === 'hsm-cut' && f.parameters['hsm'] === values['hsm'],
    );
    const problems: string[] = [];
    if (cuts.length === 0)
      problems.push(
        `the HSM checks judge cuts of ${String(values['hsm'])}: add one to the schedule, e.g. \`- at: 3s\` with \`fault: hsm-cut\` and \`for: 4s\``,
      );
    for (const cut of cuts) {
      if (cut.forMs === undefined)
        problems.push(
          `${cut.path}: the HSM checks judge each cut up to its heal: give it a \`for:\` so that it heals within the schedule`,
        );
      else if (plan.endMs < cut.atMs + cut.forMs + faultPlan.recoveryBoundMs)
        problems.push(
          `${cut.path}: the hosts have ${formatDuration(faultPlan.recoveryBoundMs)} after a heal to recover, and the schedule ends ${formatDuration(plan.endMs - cut.atMs - cut.forMs)} after this one: end it with a \`wait:\` long enough`,
        );
    }
    return problems;
  },
  async start(context, values) {
    const hsm = String(values['hsm']);
    const hosts = hostsOf(context, hsm);
    if (hosts.length === 0)
      throw new SovhError('INCIDENT_NO_HOSTS', `no host of this world uses HSM ${hsm}`);
    const zone = hosts[0]?.spec.zone ?? '';
    const standing = new Map<string, StandingObject>();
    await context.step('every host the HSM serves stores an object', async () => {
      await Promise.all(hosts.map((h) => awaitStoreServing(context.world, h, servingTimeoutMs)));
      for (const host of hosts) {
        const objectId = `before-incident-${host.name}-${Date.now()}`;
        const payload = `written before the incident on ${host.name}`;
        const observer = context.world.observer(zone);
        const trip = await storeRoundTrip(observer, host.address, storePort, objectId, payload);
        if (!trip.ok)
          throw new SovhError('SCENARIO_STEP_FAILED', `${host.name} did not store: ${trip.detail}`);
        standing.set(host.name, {
          objectId,
          payload,
          agent: await agentProcess(host),
          container: host.container.id,
        });
      }
    });
    return new HsmCutWatch(context, hsm, hosts, standing, zone);
  },
};
