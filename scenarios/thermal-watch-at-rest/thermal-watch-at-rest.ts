import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { bootTimeoutMs, observeResidencyLog } from '../power-thermal/thermal-evidence.ts';
import { atRestChecks } from './at-rest-checks.ts';
import {
  awaitFirstBmcPacket,
  harnessReadBmc,
  observeBmcTraffic,
  siteBmcOf,
  type SiteThermal,
} from './at-rest-evidence.ts';
import { realBmc } from '../../harness/devices/run-devices.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** How long the host's reads of its BMC are captured: three slices of at-rest-checks' 5 s. */
const captureMs = 15_000;
const captureStep = "capture the host's reads of its BMC";
/** The harness's own reads of the BMC after the capture, a second apart. */
const harnessReads = 3;
/**
 * How long the site's protocol stays silent before the capture: past a read timeout of 5 s (the
 * reference's), so that a read gives up on it and falls back; a shorter silence only delays a
 * read. A watch that waits longer than this on a silent protocol is not provoked.
 */
const silenceMs = 7_000;
/** After it answers again: one read timeout of the watch, so a read in flight has ended. */
const settleAfterSilenceMs = 6_000;

/**
 * The fallback is for while the chosen protocol does not answer, no longer: the simulated BMC's
 * chosen protocol goes silent for a few polls (the watch falls back to the other), then answers
 * again, and the capture that follows must show the watch back on it. A real BMC (a device
 * profile's) is not silenced: its agent is not the harness's to stop.
 */
async function silenceSiteProtocol(
  context: ScenarioContext,
  vm: HostVm,
  thermal: SiteThermal,
): Promise<void> {
  const machine = vm.machine.name;
  if (realBmc(context.world.devices, machine) !== undefined) {
    context.observe('bmc-silence', { applied: false, why: `machine ${machine}'s BMC is real` });
    return;
  }
  const protocol = thermal.protocol ?? 'snmp';
  const answerAgain = await injectFault(context, 'bmc-protocol-silence', { machine, protocol });
  try {
    await sleep(silenceMs);
  } finally {
    await answerAgain();
  }
  context.observe('bmc-silence', { applied: true, protocol, silenceMs });
  await sleep(settleAfterSilenceMs);
}

/**
 * The thermal watch at rest: the stack pulls its machine's temperatures from the BMC its site file
 * names and nothing drives them. It is the thermal scenario that runs on a real BMC (a device
 * profile's `bmc`): it reads the BMC, never heats or cools the room. The harness captures the
 * host's exchanges with the BMC in the machine's network namespace, reads the BMC itself with
 * the site's login, and compares the stack's alarm state with those readings.
 */
export default defineScenario({
  name: 'thermal-watch-at-rest',
  description:
    "The stack reads its machine's BMC (simulated or real) all along, its reads succeed, and its alarm state agrees with the BMC's readings",
  needs: [],
  sections: ['thermal'],
  topology: {
    zones: [{ name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.44.0.0/16'] }],
    machines: [
      {
        name: 'rack1',
        zone: 'sovereign',
        // The room at rest (inlet 21.8 C); the alarm only: nothing here should shut the host down.
        // IPMI first: every other thermal scenario reads over the default, SNMP. A site that keeps
        // its room cooler than the manual's 18-27 C: the inlet at rest is above its 21 C, so the
        // alarm must stand, where a watch that falls back to the manual's range raises none.
        bmc: {
          watch: {
            criticalAction: 'alarm-only',
            protocol: 'ipmi',
            operatingRangeC: { min: 15, max: 21 },
          },
        },
      },
    ],
    hosts: [{ name: 'vm1', machine: 'rack1' }],
  },
  async run(context) {
    const { world } = context;
    const vm = world.host('vm1');
    const { bmc, thermal } = siteBmcOf(vm);
    context.observe('site-thermal', thermal);
    await context.step('boot and serve', async () => {
      await awaitServing(world, vm, bootTimeoutMs);
      await awaitFirstBmcPacket(context, vm, bmc, 30_000);
    });
    await context.step(
      `silence the BMC's ${thermal.protocol ?? 'snmp'} for ${silenceMs / 1000} s, then let it answer again`,
      () => silenceSiteProtocol(context, vm, thermal),
    );
    await context.step(captureStep, () => observeBmcTraffic(context, vm, bmc, captureMs));
    await context.step('read the BMC from the machine', async () => {
      for (let i = 0; i < harnessReads; i += 1) {
        if (i > 0) await sleep(1_000);
        await harnessReadBmc(context, vm, bmc);
      }
    });
    await context.step('collect the residency log', () => observeResidencyLog(context, vm, 'end'));
  },
  checks: atRestChecks,
  mutants: [
    {
      name: 'watch-never-started',
      description:
        'The thermal watch is set up and logs that it polls, but its thread is never started: nothing reads the BMC',
      expectFailing: ['host-reads-bmc'],
      stackPatch: join(here, 'mutants', 'watch-never-started.patch'),
    },
    {
      name: 'read-timeout-in-ms',
      description:
        'The watch gives each read 5 ms instead of 5 s (a timeout meant in milliseconds): every read times out',
      expectFailing: ['watch-reads-succeed'],
      stackPatch: join(here, 'mutants', 'read-timeout-in-ms.patch'),
    },
    {
      name: 'range-key-misread',
      description:
        "The watch looks the site's range up as operatingRange, not operatingRangeC, and falls back to the manual's 18-27 C: a site with a range of its own is judged against the manual's",
      expectFailing: ['alarm-state-matches-readings'],
      stackPatch: join(here, 'mutants', 'range-key-misread.patch'),
    },
    {
      name: 'range-inverted',
      description:
        'The watch tests the operating range the wrong way round: it alarms while the inlet is inside 18-27 C',
      expectFailing: ['alarm-state-matches-readings'],
      stackPatch: join(here, 'mutants', 'range-inverted.patch'),
    },
    {
      // The margin of host-reads-bmc: a poll every 1.5 s reads every 5 s slice, and a crossing
      // still reaches the log within the 2 s alarm bound more often than not.
      name: 'poll-interval-key-misread',
      description:
        "The watch reads its interval under the wrong site key and polls at its own default of 1.5 s, while its log line still says the site's 500 ms",
      expectFailing: ['bmc-read-at-site-interval'],
      stopAfterStep: captureStep,
      stackPatch: join(here, 'mutants', 'poll-interval-key-misread.patch'),
    },
    {
      name: 'protocol-order-own',
      description:
        "The watch tries the BMC's protocols in its own order (SNMP first) whatever the site's thermal.protocol says: it reads over SNMP where the site chose IPMI",
      expectFailing: ['bmc-read-over-site-protocol'],
      stopAfterStep: captureStep,
      stackPatch: join(here, 'mutants', 'protocol-order-own.patch'),
    },
    {
      name: 'fallback-protocol-sticks',
      description:
        'The watch keeps to whichever protocol answered last ("keep to the protocol that answers"): after a few seconds without IPMI it reads over SNMP for the rest of the boot, where the site chose IPMI',
      expectFailing: ['bmc-read-over-site-protocol'],
      stopAfterStep: captureStep,
      stackPatch: join(here, 'mutants', 'fallback-protocol-sticks.patch'),
    },
  ],
});
