import type { Check } from '../../harness/checks/check.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { coolingFailureCriticalChecks } from '../cooling-failure/critical-checks.ts';
import { criticalKit } from '../cooling-failure/critical-kit.ts';
import { egressChecks } from '../egress-default-deny/egress-checks.ts';
import { egressKit } from '../egress-default-deny/egress-kit.ts';
import { ipv6Checks } from '../egress-ipv6/ipv6-checks.ts';
import { ipv6EgressKit } from '../egress-ipv6/ipv6-kit.ts';
import { hsmCableCutChecks } from '../hsm-cable-cut/hsm-cable-cut-checks.ts';
import { hsmCutKit } from '../hsm-cable-cut/hsm-cut-kit.ts';
import { powerOutageKit } from '../power-thermal/outage-kit.ts';
import { keyWipeBound } from '../power-thermal/power-bounds.ts';
import {
  keysGoneFromMemory,
  noKeyOnFilesystems,
  servicesStoppedAfterLowBattery,
  shutdownLogged,
  sovereignServicesStopped,
  wipeBeforeThermalCritical,
} from '../power-thermal/power-checks.ts';
import { thermalAlarmBound } from '../power-thermal/thermal-bounds.ts';
import {
  alarmAbove27,
  alarmBelow18,
  ipmiSnmpAgree,
  readingsPulledByHost,
} from '../power-thermal/thermal-checks.ts';
import { thermalKit } from '../power-thermal/thermal-kit.ts';
import type { CheckType } from './evidence-kit.ts';

/** One of hsm-cable-cut's checks, as that scenario declares it. */
function hsmCableCutCheck(name: string): Check {
  const check = hsmCableCutChecks.find((c) => c.name === name);
  if (check === undefined) throw new TypeError(`hsm-cable-cut has no check ${name}`);
  return check;
}

/** The checks of hsm-cable-cut that judge the load through the cuts, the disks and the processes. */
const hsmCutChecks: readonly CheckType[] = [
  'writes-refused-within-bound',
  'reads-refused-within-bound',
  'nothing-stored-during-cut',
  'device-not-found-logged',
  'recovers-without-restart',
].map((name) => ({
  name,
  from: 'hsm-cable-cut',
  kit: hsmCutKit,
  make: () => hsmCableCutCheck(name),
}));

/** egress-default-deny's checks: its probes from the host after the schedule. */
const egressCheckTypes: readonly CheckType[] = egressChecks.map((check) => ({
  name: check.name,
  from: 'egress-default-deny',
  kit: egressKit,
  make: () => check,
}));

/** egress-ipv6's checks: its IPv6 probes from the host after the schedule. */
const ipv6EgressCheckTypes: readonly CheckType[] = ipv6Checks.map((check) => ({
  name: check.name,
  from: 'egress-ipv6',
  kit: ipv6EgressKit,
  make: () => check,
}));

/** thermal-excursion's checks: its alarms, its reads of the BMC and who queried it. */
const thermalCheckTypes: readonly CheckType[] = [
  { name: 'alarm-above-27', make: () => alarmAbove27(thermalAlarmBound) },
  { name: 'alarm-below-18', make: () => alarmBelow18(thermalAlarmBound) },
  { name: 'ipmi-snmp-agree-with-model', make: () => ipmiSnmpAgree() },
  { name: 'readings-pulled-by-host', make: () => readingsPulledByHost('readings-pulled-by-host') },
].map((c) => ({ ...c, from: 'thermal-excursion', kit: thermalKit }));

/** cooling-failure's critical checks: the store's stop against the CPU's critical limits. */
const criticalCheckTypes: readonly CheckType[] = coolingFailureCriticalChecks().map((check) => ({
  name: check.name,
  from: 'cooling-failure',
  kit: criticalKit,
  make: () => check,
}));

/**
 * The built-in checks an incident file may name: each is the built-in scenario's own check code,
 * with the kit that gathers its evidence around any timed schedule of faults.
 */
export const checkTypes: readonly CheckType[] = [
  {
    name: 'keys-gone-from-memory',
    from: 'power-failure-key-wipe',
    kit: powerOutageKit,
    make: () => keysGoneFromMemory('keys-gone-from-memory', keyWipeBound),
  },
  {
    name: 'no-key-on-filesystems',
    from: 'power-failure-key-wipe',
    kit: powerOutageKit,
    make: () => noKeyOnFilesystems('no-key-on-filesystems', keyWipeBound),
  },
  {
    name: 'services-stopped',
    from: 'power-failure-key-wipe',
    kit: powerOutageKit,
    make: () => servicesStoppedAfterLowBattery('services-stopped', keyWipeBound),
  },
  {
    name: 'sovereign-services-stopped',
    from: 'power-failure-key-wipe',
    kit: powerOutageKit,
    make: () => sovereignServicesStopped('sovereign-services-stopped', keyWipeBound),
  },
  {
    name: 'wipe-before-thermal-critical',
    from: 'power-failure-key-wipe',
    kit: powerOutageKit,
    make: () => wipeBeforeThermalCritical('wipe-before-thermal-critical'),
  },
  {
    name: 'shutdown-logged',
    from: 'power-failure-key-wipe',
    kit: powerOutageKit,
    make: () => shutdownLogged('shutdown-logged'),
  },
  ...hsmCutChecks,
  ...egressCheckTypes,
  ...ipv6EgressCheckTypes,
  ...thermalCheckTypes,
  ...criticalCheckTypes,
];

export function checkTypeNames(): string[] {
  return checkTypes.map((c) => c.name);
}

/** A check by name; an unknown one is bad input naming the known ones. */
export function checkType(name: string): CheckType {
  const found = checkTypes.find((c) => c.name === name);
  if (found === undefined)
    throw new SovhError(
      'UNKNOWN_CHECK',
      `unknown check "${name}"; checks an incident can name: ${checkTypeNames().join(', ')}`,
    );
  return found;
}
