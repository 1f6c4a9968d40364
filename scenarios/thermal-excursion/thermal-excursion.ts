import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startTrapReceiver } from '../../harness/checks/probes/bmc-probe.ts';
import { nodeAddress } from '../../harness/checks/probes/serving-probe.ts';
import { observerName } from '../../harness/topology/address-plan.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { RunClock } from '../../harness/util/run-clock.ts';
import { machineBmc } from '../../harness/world/machine-devices.ts';
import {
  alarmAbove27,
  alarmBelow18,
  alarmClearedUnder27,
  ipmiSnmpAgree,
  readingsPulledByHost,
} from '../power-thermal/thermal-checks.ts';
import {
  bootTimeoutMs,
  awaitLogLine,
  observeResidencyLog,
  SensorPoller,
} from '../power-thermal/thermal-evidence.ts';
import {
  criticalActionBound,
  thermalAlarmBound,
  thermalPollIntervalMs,
} from '../power-thermal/thermal-bounds.ts';
import { observePullEvidence, recordCrossing } from '../power-thermal/thermal-schedule.ts';
import { serveAndWriteRecord, StoreAvailability } from '../power-thermal/store-availability.ts';
import { alarmOnlyKeepsServing } from './alarm-only-check.ts';
import { alarmsFollowCrossings } from './alarm-sequence-check.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Model seconds per wall-clock second: the room's 5-minute time constant plays out in 10 s. */
const speedup = 30;
/**
 * The inlet stays under 18 C this long after the low alarm, five polls: a watch whose low alarm
 * clears and is raised again on the next poll has time to show it.
 */
const lowAlarmHoldMs = 5 * thermalPollIntervalMs;
/** The load at which the inlet settles at 26 C, a degree inside the range (setpoint 21 C). */
const settleLoadKw = 0.5;
/** How far ahead (model s) the inlet's fall to 27.5 C is looked for with the load off. */
const dropHorizonS = 600;
/**
 * The CPU's critical limit the site gives the stack (its action: alarm-only). The CPU passes it
 * while the load rises, about a second of wall time before the inlet passes 27 C (40 C/kW over the
 * inlet at 1.2 kW, 90 s time constant): the stack must log it and keep serving.
 */
const alarmOnlyCriticalCpuC = 55;
/** A record the store takes at boot, read back from the zone all through the excursion. */
const knownRecord = { id: 'before-excursion', payload: 'sovereign record written before the heat' };

/**
 * The seed manual's thermal monitoring row: the stack pulls its machine's temperatures from the
 * BMC and raises an alarm outside 18-27 C. The harness drives the machine's thermal model (load
 * up until the inlet passes 27 C, down until it settles a degree inside the range, then
 * overcooling until it falls under 18 C) and compares the stack's alarms with the model's
 * crossing times; IPMI and SNMP, read by the harness, must agree with the model all along.
 */
export default defineScenario({
  name: 'thermal-excursion',
  description:
    "Inlet above 27 C and below 18 C: the stack alarms within a bounded time of the model's crossing, and clears the high alarm as the inlet falls back in range; IPMI and SNMP agree with the model",
  needs: [],
  sections: ['thermal'],
  contractBounds: [thermalAlarmBound],
  topology: {
    zones: [{ name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.43.0.0/16'] }],
    machines: [
      {
        name: 'rack1',
        zone: 'sovereign',
        bmc: {
          // A hot aisle without containment: the machine's own exhaust reaches its inlet.
          thermal: {
            setpointC: 21,
            recirculationCPerKw: 10,
            roomTimeConstantS: 300,
            cpuCPerKw: 40,
            cpuTimeConstantS: 90,
            exhaustCPerKw: 12,
          },
          initial: { loadKw: 0.4 },
          watch: {
            pollIntervalMs: thermalPollIntervalMs,
            criticalC: { inlet: 32, cpu: alarmOnlyCriticalCpuC },
            criticalAction: 'alarm-only',
          },
        },
      },
    ],
    hosts: [{ name: 'vm1', machine: 'rack1' }],
  },
  async run(context) {
    const { world } = context;
    const vm = world.host('vm1');
    const bmc = machineBmc(world, 'rack1');
    const poller = new SensorPoller(context, bmc, 'sovereign');
    const availability = new StoreAvailability(context, vm, undefined, knownRecord);

    await context.step('boot, serve and write a record', () =>
      serveAndWriteRecord(context, vm, knownRecord, bootTimeoutMs),
    );
    await context.step('drive the thermal model on the run clock', async () => {
      await bmc.countRequestsFrom(vm.address);
      const observer = world.observer('sovereign');
      await startTrapReceiver(observer);
      await bmc.sendTrapsTo(nodeAddress(world, observerName('sovereign')));
      await bmc.drive(RunClock.startNow(speedup));
      poller.start();
      availability.start();
    });
    try {
      await context.step('raise the load until the inlet passes 27 C', async () => {
        const change = await bmc.setInputs({ loadKw: 1.2 });
        recordCrossing(
          context,
          bmc,
          'cpu-critical',
          'cpu',
          alarmOnlyCriticalCpuC,
          'rising',
          change,
        );
        const crossing = recordCrossing(context, bmc, 'above-27', 'inlet', 27, 'rising', change);
        await awaitLogLine(
          vm,
          /THERMAL_ALARM sensor=inlet .*side=high/,
          change.wallMs,
          waitFor(crossing.crossingWallMs),
        );
      });
      await context.step('let the inlet settle a degree inside 27 C', async () => {
        // Toward 26 C (21 C + 10 C/kW x 0.5 kW): the inlet falls back under 27 C at 0.1 C a wall
        // second and stays a degree inside, where the high alarm must clear. A watch that clears
        // only some way inside the range (a deadband against flapping) clears late or never; a
        // fast fall through 27 C would have hidden it. The load is off until the model's inlet is
        // down to 27.5 C (seconds, not the tens of seconds of a slow approach from where the alarm
        // left it); both changes are in the BMC's curve before either takes effect.
        const drop = await bmc.setInputs({ loadKw: 0 });
        const nearModelS = bmc.model.firstCrossing(
          'inlet',
          27.5,
          'falling',
          drop.modelS,
          drop.modelS + dropHorizonS,
        );
        const change = await bmc.setInputs(
          { loadKw: settleLoadKw },
          nearModelS === undefined ? {} : { atModelS: nearModelS },
        );
        const crossing = recordCrossing(
          context,
          bmc,
          'back-under-27',
          'inlet',
          27,
          'falling',
          change,
        );
        await awaitLogLine(
          vm,
          /THERMAL_ALARM_CLEARED sensor=inlet /,
          change.wallMs,
          waitFor(crossing.crossingWallMs),
        );
      });
      await context.step('overcool until the inlet falls under 18 C', async () => {
        const change = await bmc.setInputs({ loadKw: 0.4, setpointC: 8 });
        const crossing = recordCrossing(context, bmc, 'below-18', 'inlet', 18, 'falling', change);
        await awaitLogLine(
          vm,
          /THERMAL_ALARM sensor=inlet .*side=low/,
          change.wallMs,
          waitFor(crossing.crossingWallMs),
        );
        await sleep(lowAlarmHoldMs);
      });
    } finally {
      await poller.stop();
      await availability.stop();
      await bmc.stop();
    }
    await context.step('collect the evidence', async () => {
      await observePullEvidence(context, vm, bmc);
      await observeResidencyLog(context, vm, 'end');
      context.observe('bmc-traps', {
        sent: await bmc.trapsSent(),
        uploads: bmc.uploads,
        schedule: bmc.model.schedule,
      });
    });
  },
  checks: [
    alarmAbove27(thermalAlarmBound),
    alarmBelow18(thermalAlarmBound),
    alarmClearedUnder27(thermalAlarmBound),
    ipmiSnmpAgree(),
    readingsPulledByHost('readings-pulled-by-host'),
    // The topology's watch takes the contract's default range sensors.
    alarmsFollowCrossings(['inlet']),
    alarmOnlyKeepsServing('cpu-critical', criticalActionBound),
  ],
  mutants: [
    {
      name: 'watcher-ignores-upper-bound',
      description: 'The thermal watcher checks only the lower bound of 18-27 C',
      expectFailing: ['alarm-above-27'],
      stackPatch: join(here, 'mutants', 'watcher-ignores-upper-bound.patch'),
    },
    {
      name: 'alarm-clear-deadband',
      description:
        'The thermal watch clears an alarm only half a degree inside the range (a deadband against flapping at the boundary): an inlet that settles just inside keeps the alarm standing',
      expectFailing: ['alarm-cleared-back-in-range'],
      stackPatch: join(here, 'mutants', 'alarm-clear-deadband.patch'),
    },
    {
      name: 'alarm-debounced',
      description:
        'The thermal watch alarms only after ten readings in a row outside the range (against flapping at the boundary): 4.5 s late at a 500 ms poll, well within the old 10 s slack',
      expectFailing: ['alarm-above-27', 'alarm-below-18'],
      stackPatch: join(here, 'mutants', 'alarm-debounced.patch'),
    },
    {
      // Both alarms still come in time: only the clear between them is missing.
      name: 'alarm-latched',
      description:
        'The thermal watch keeps one alarm per sensor and side (so that a sensor swinging from too hot to too cold alarms again), but its clear still looks the sensor up alone: THERMAL_ALARM_CLEARED is never logged, the high alarm stands after the inlet is back in range',
      expectFailing: ['alarm-cleared-back-in-range'],
      stackPatch: join(here, 'mutants', 'alarm-latched.patch'),
    },
    {
      name: 'low-alarm-clears-under-max',
      description:
        'The thermal watch clears an alarm once the reading is back under the range\u2019s maximum ("clear once back under the max"): a low alarm clears on the next poll and is raised again, flapping while the inlet stays under 18 C',
      expectFailing: ['alarms-follow-crossings'],
      stackPatch: join(here, 'mutants', 'low-alarm-clears-under-max.patch'),
    },
    {
      name: 'range-on-every-sensor',
      description:
        'The thermal watch applies the 18-27 C range to every sensor it reads, not to thermal.rangeSensors: the CPU and the exhaust alarm from boot on',
      expectFailing: ['alarms-follow-crossings'],
      stackPatch: join(here, 'mutants', 'range-on-every-sensor.patch'),
    },
    {
      name: 'trap-receiver-beside-poller',
      description:
        'Beside its polls the thermal watch opens a receiver for the BMC\u2019s pushed traps ("in case a poll is missed") on snmptrapd\u2019s unprivileged UDP 1162, one dual-stack IPv6 socket: the host listens for a push, on neither IPv4\u2019s table nor port 162',
      expectFailing: ['readings-pulled-by-host'],
      stackPatch: join(here, 'mutants', 'trap-receiver-beside-poller.patch'),
    },
    {
      name: 'critical-action-key-misread',
      description:
        'The thermal watch looks the critical action up as critical_action, not criticalAction: every site gets the default, and an alarm-only site runs the residency shutdown at its first critical reading',
      expectFailing: ['alarm-only-keeps-serving'],
      stackPatch: join(here, 'mutants', 'critical-action-key-misread.patch'),
    },
    {
      name: 'log-stamps-local-time',
      description:
        "The residency log stamps its lines with the host's local time and no zone (datetime.now() where the contract says UTC): on a host that is not in UTC every alarm reads an hour off",
      expectFailing: ['alarm-above-27', 'alarm-below-18'],
      stackPatch: join(here, 'mutants', 'log-stamps-local-time.patch'),
    },
  ],
});

/** How long to wait for an alarm: until the crossing plus the bound and some slack. */
function waitFor(crossingWallMs: number | undefined): number {
  if (crossingWallMs === undefined) return 1_000;
  return Math.max(1_000, crossingWallMs + thermalAlarmBound.contract + 5_000 - Date.now());
}
