import type { ResolvedTopology } from '../topology/topology-validator.ts';
import {
  bmcOf,
  defaultCipherSuite,
  parseHostPort,
  parseIpmiAddress,
  realBmcSensors,
  tpmOf,
  upsOf,
  type DeviceProfile,
  type RealBmcProfile,
  type RealUpsProfile,
} from './device-profile.ts';
import type { LabNetwork } from './lab-network.ts';
import type { ProfileTargets } from './profile-file.ts';
import { DeviceNotApplicable } from './device-not-applicable.ts';

/** The devices of a run: its profile (which devices are real) and the lab network it checked. */
export interface RunDevices {
  file: string;
  profile: DeviceProfile;
  lab?: LabNetwork;
}

/** One device of a world, as the report records it: real or simulated. */
export interface DeviceRecord {
  node: string;
  device: 'tpm' | 'ups' | 'bmc';
  real: boolean;
  detail: string;
}

/** The machines and UPSes a profile may name: those of every topology of the run. */
export function profileTargets(topologies: readonly ResolvedTopology[]): ProfileTargets {
  return {
    machines: new Set(topologies.flatMap((t) => t.machines.map((m) => m.name))),
    upses: new Set(
      topologies.flatMap((t) => t.services.filter((s) => s.kind === 'ups').map((s) => s.name)),
    ),
  };
}

/** The UPS named `name` when the profile makes it real. */
export function realUps(devices: RunDevices | undefined, name: string): RealUpsProfile | undefined {
  if (devices === undefined) return undefined;
  const ups = upsOf(devices.profile, name);
  return ups === 'sim' ? undefined : ups;
}

/**
 * Does a machine reach a device on the lab network (its TPM by TCTI, its BMC, or its UPS's NUT
 * server)?
 */
export function machineUsesLab(
  devices: RunDevices | undefined,
  machine: { name: string; ups?: string },
): boolean {
  if (devices === undefined) return false;
  const tpm = tpmOf(devices.profile, machine.name);
  const onLab = typeof tpm === 'object' && 'tcti' in tpm;
  return (
    onLab ||
    realBmc(devices, machine.name) !== undefined ||
    (machine.ups !== undefined && realUps(devices, machine.ups) !== undefined)
  );
}

/** The site file's `ups` section for a real UPS: its NUT server and the monitor's login. */
export function realUpsSiteSection(
  ups: RealUpsProfile,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const server = parseHostPort(ups.nut);
  if (server === undefined) throw new Error(`bad NUT address ${ups.nut}`);
  return {
    ups: {
      name: ups.name,
      address: server.host,
      port: server.port,
      user: ups.user,
      password: env[ups.passwordEnv] ?? '',
      pollFrequencyS: 1,
    },
  };
}

/**
 * The site file's `bmc` and `thermal` sections for a machine's real BMC: its lab address, IPMI
 * over LAN (lanplus) with the profile's user and the password from its variable, SNMP when the
 * profile gives it, and the sensors by the BMC's own names. `watch` is the thermal policy the
 * topology gives the machine; without SNMP the hosts read over IPMI.
 */
export function realBmcSiteSection(
  machine: string,
  bmc: RealBmcProfile,
  watch: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const ipmi = parseIpmiAddress(bmc.ipmi);
  if (ipmi === undefined) throw new Error(`bad IPMI address ${bmc.ipmi}`);
  const secret = (variable: string) => env[variable] ?? '';
  const snmp =
    bmc.snmp === undefined
      ? undefined
      : bmc.snmp.version === '2c'
        ? { port: bmc.snmp.port, version: '2c', community: secret(bmc.snmp.communityEnv) }
        : {
            port: bmc.snmp.port,
            version: '3',
            user: bmc.snmp.user,
            authPassword: secret(bmc.snmp.authPasswordEnv),
            ...(bmc.snmp.privPasswordEnv === undefined
              ? {}
              : { privPassword: secret(bmc.snmp.privPasswordEnv) }),
          };
  return {
    bmc: {
      machine,
      address: ipmi.host,
      ipmi: {
        port: ipmi.port,
        interface: 'lanplus',
        cipherSuite: bmc.cipherSuite ?? defaultCipherSuite,
        user: bmc.user,
        password: secret(bmc.passwordEnv),
      },
      ...(snmp === undefined ? {} : { snmp }),
      sensors: realBmcSensors(bmc),
    },
    thermal: {
      ...watch,
      ...(snmp === undefined ? { protocol: 'ipmi' } : {}),
      ...(bmc.pollIntervalMs === undefined ? {} : { pollIntervalMs: bmc.pollIntervalMs }),
    },
  };
}

/**
 * For what only the UPS simulator can do (fail its mains, drain its battery on a model clock):
 * a real UPS makes the scenario not applicable, by name.
 */
export function requireSimulatedUps(devices: RunDevices | undefined, name: string): void {
  const ups = realUps(devices, name);
  if (ups !== undefined)
    throw new DeviceNotApplicable(
      `needs a simulated UPS: ${name} is real (${ups.name}@${ups.nut}) and the harness cannot fail its mains or drive its battery`,
    );
}

/** The BMC of machine `machine` when the profile makes it real. */
export function realBmc(
  devices: RunDevices | undefined,
  machine: string,
): RealBmcProfile | undefined {
  if (devices === undefined) return undefined;
  const bmc = bmcOf(devices.profile, machine);
  return bmc === 'sim' ? undefined : bmc;
}

/**
 * For what only the BMC simulator can do (play the machine's thermal model on its sensors: a heat
 * load, a cooling failure, the cooling stopping with the mains): a real BMC's temperatures follow
 * the real room, which the harness cannot move, so the scenario is not applicable, by name.
 */
export function requireSimulatedBmc(devices: RunDevices | undefined, machine: string): void {
  const bmc = realBmc(devices, machine);
  if (bmc !== undefined)
    throw new DeviceNotApplicable(
      `needs a simulated BMC: machine ${machine}'s BMC is real (IPMI ${bmc.ipmi}) and the harness cannot drive its temperature sensors with the thermal model`,
    );
}
