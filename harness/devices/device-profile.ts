import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { bmcSensors, sensorValueOid } from '../../sims/bmc/bmc-sensors.ts';
import type { SensorKey } from '../../sims/bmc/thermal-model.ts';

/**
 * A device profile: which of a world's devices are real instead of simulated. Anything the profile
 * does not name stays simulated, so a profile only lists what a lab actually has.
 */

const tctiPattern = /^(swtpm|mssim):host=([^,]+),port=(\d{1,5})$/;

export interface TctiAddress {
  kind: 'swtpm' | 'mssim';
  host: string;
  port: number;
}

/** `swtpm:host=H,port=P` or `mssim:host=H,port=P`, H an IPv4 address: undefined when it is not. */
export function parseTcti(tcti: string): TctiAddress | undefined {
  const match = tctiPattern.exec(tcti);
  if (match === null) return undefined;
  const [, kind, host, port] = match as unknown as [string, 'swtpm' | 'mssim', string, string];
  const portNumber = Number(port);
  if (!isIPv4(host) || portNumber < 1 || portNumber > 65_535) return undefined;
  return { kind, host, port: portNumber };
}

/** `host:port` with an IPv4 host: undefined when it is not. */
export function parseHostPort(value: string): { host: string; port: number } | undefined {
  const match = /^([^:]+):(\d{1,5})$/.exec(value);
  if (match === null) return undefined;
  const [, host, port] = match as unknown as [string, string, string];
  const portNumber = Number(port);
  if (!isIPv4(host) || portNumber < 1 || portNumber > 65_535) return undefined;
  return { host, port: portNumber };
}

const tctiSchema = z.string().refine((t) => parseTcti(t) !== undefined, {
  error:
    'a TCTI is "swtpm:host=H,port=P" or "mssim:host=H,port=P" with H an IPv4 address on the lab network, e.g. "swtpm:host=10.99.0.2,port=2321"',
});

/**
 * The algorithm of the EK and AK a certification quotes with: left out, RSA where the TPM has it
 * and ECC P-256 where it does not (an ECC-only TPM); given, that one (a vendor whose EK
 * certificate in NV is the ECC one).
 */
const attestationKeySchema = z
  .enum(['rsa', 'ecc'], { error: 'the attestation key is "rsa" or "ecc"' })
  .optional();

export const tpmProfileSchema = z.union([
  z.literal('sim'),
  z.strictObject({ tcti: tctiSchema, attestationKey: attestationKeySchema }),
  z.strictObject({
    device: z.string().regex(/^\/dev\/tpm(rm)?\d+$/, {
      error: 'a TPM device is a character device node such as /dev/tpmrm0 (or /dev/tpm0)',
    }),
    attestationKey: attestationKeySchema,
  }),
]);

export const upsProfileSchema = z.union([
  z.literal('sim'),
  z.strictObject({
    nut: z.string().refine((v) => parseHostPort(v) !== undefined, {
      error:
        'a NUT server is "host:port" with an IPv4 host on the lab network, e.g. "10.99.0.3:3493"',
    }),
    /** The UPS's name on that server (`upsc NAME@host`). */
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'a NUT UPS name, e.g. "ups1"' }),
    /** The monitor user hosts log in as (a `secondary` user in the server's upsd.users). */
    user: z.string().min(1).default('monitor'),
    /** The environment variable that holds that user's password: never the password itself. */
    passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
      error: 'an environment variable name, e.g. LAB_UPS_PASSWORD',
    }),
  }),
]);

/** The lanplus cipher suite when the profile gives none (3: RAKP-HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128). */
export const defaultCipherSuite = 3;

/** The IPMI port of a BMC when the profile gives none (RMCP, UDP 623). */
export const defaultIpmiPort = 623;

/** `host` or `host:port` with an IPv4 host (the port defaults to 623): undefined when it is not. */
export function parseIpmiAddress(value: string): { host: string; port: number } | undefined {
  return isIPv4(value) ? { host: value, port: defaultIpmiPort } : parseHostPort(value);
}

const environmentName = (example: string) =>
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    error: `an environment variable name, e.g. ${example}`,
  });

/** SNMP of a real BMC: v2c with a community, or v3 with a user; secrets from the environment. */
export const bmcSnmpSchema = z.union([
  z.strictObject({
    version: z.literal('2c'),
    /** UDP port of the BMC's SNMP agent (161). */
    port: z.number().int().min(1).max(65_535).default(161),
    communityEnv: environmentName('LAB_BMC_COMMUNITY'),
  }),
  z.strictObject({
    version: z.literal('3'),
    port: z.number().int().min(1).max(65_535).default(161),
    user: z.string().min(1),
    authPasswordEnv: environmentName('LAB_BMC_SNMP_AUTH'),
    privPasswordEnv: environmentName('LAB_BMC_SNMP_PRIV').optional(),
  }),
]);

/**
 * How a real BMC names one temperature sensor: its IPMI SDR name (as `ipmitool sdr type
 * Temperature` prints it) and, when the BMC is read over SNMP, the OID of its value and the
 * degrees per unit of that value. Each field defaults to the BMC simulator's.
 */
export const bmcSensorProfileSchema = z.strictObject({
  name: z.string().min(1, { error: 'an IPMI SDR name, e.g. "Inlet Temp"' }),
  snmpOid: z
    .string()
    .regex(/^\.?\d+(\.\d+)+$/, {
      error: 'a numeric OID, e.g. ".1.3.6.1.2.1.99.1.1.1.4.1"',
    })
    .optional(),
  snmpScale: z
    .number()
    .positive({ error: 'degrees per unit of the SNMP value, e.g. 0.1 for tenths' })
    .optional(),
});

/** Per sensor key (inlet, cpu, exhaust): how the real BMC names it. */
export const bmcSensorsProfileSchema = z.strictObject({
  inlet: bmcSensorProfileSchema.partial().optional(),
  cpu: bmcSensorProfileSchema.partial().optional(),
  exhaust: bmcSensorProfileSchema.partial().optional(),
});

export const bmcProfileSchema = z.union([
  z.literal('sim'),
  z
    .strictObject({
      /** The BMC's IPMI-over-LAN address (lanplus), `host` or `host:port` on the lab network. */
      ipmi: z.string().refine((v) => parseIpmiAddress(v) !== undefined, {
        error:
          'an IPMI address is "host" or "host:port" with an IPv4 host on the lab network, e.g. "10.99.0.4" or "10.99.0.4:623"',
      }),
      /** The IPMI user the harness and the hosts log in as (they only read: an operator or user account will do). */
      user: z.string().min(1),
      /** The environment variable that holds that user's password: never the password itself. */
      passwordEnv: environmentName('LAB_BMC_PASSWORD'),
      /**
       * The RMCP+ cipher suite of the lanplus session (default 3: RAKP-HMAC-SHA1, HMAC-SHA1-96,
       * AES-CBC-128); given, ipmitool does not first ask the BMC for its list.
       */
      cipherSuite: z
        .number()
        .int()
        .min(0)
        .max(17, { error: 'an IPMI 2.0 cipher suite id, 0 to 17 (e.g. 3 or 17)' })
        .optional(),
      snmp: bmcSnmpSchema.optional(),
      /**
       * How often the hosts' thermal watch polls this BMC (the site's `thermal.pollIntervalMs`;
       * default: the topology's policy, 500 ms): a BMC whose reads take longer than that needs a
       * longer one. At most 4 s, since thermal-watch-at-rest wants a read in every 5 s.
       */
      pollIntervalMs: z
        .number()
        .int()
        .min(100, { error: 'a poll interval of at least 100 ms' })
        .max(4_000, {
          error:
            'a poll interval of at most 4000 ms: thermal-watch-at-rest wants a read of the BMC in every 5 s',
        })
        .optional(),
      /** How the BMC names its temperature sensors (default: the BMC simulator's names). */
      sensors: bmcSensorsProfileSchema.optional(),
    })
    .superRefine((bmc, context) => {
      if (bmc.snmp !== undefined) return;
      for (const key of sensorKeyOrder) {
        const sensor = bmc.sensors?.[key];
        for (const field of ['snmpOid', 'snmpScale'] as const)
          if (sensor?.[field] !== undefined)
            context.addIssue({
              code: 'custom',
              path: ['sensors', key, field],
              message: `an SNMP field, but this BMC has no \`snmp\`: add \`snmp\` to read it over SNMP, or remove ${field}`,
            });
      }
    }),
]);

export const machineProfileSchema = z.strictObject({
  tpm: tpmProfileSchema.default('sim'),
  bmc: bmcProfileSchema.default('sim'),
});

export const deviceProfileSchema = z.strictObject({
  /** An existing Docker network (internal) through which the real devices are reached. */
  labNetwork: z.string().min(1).optional(),
  /** Per machine name of the scenarios' topologies. */
  machines: z.record(z.string(), machineProfileSchema).default({}),
  /** Per UPS (a service of kind `ups`) of the scenarios' topologies. */
  ups: z.record(z.string(), upsProfileSchema).default({}),
});

export type DeviceProfile = z.output<typeof deviceProfileSchema>;
export type TpmProfile = z.output<typeof tpmProfileSchema>;
export type UpsProfile = z.output<typeof upsProfileSchema>;
export type RealUpsProfile = Exclude<UpsProfile, 'sim'>;
export type BmcProfile = z.output<typeof bmcProfileSchema>;
export type RealBmcProfile = Exclude<BmcProfile, 'sim'>;

/** A profile in which every device is simulated: what a run without `--profile` uses. */
export const allSimulated: DeviceProfile = { machines: {}, ups: {} };

/** How a machine's TPM is reached in this profile. */
export function tpmOf(profile: DeviceProfile, machine: string): TpmProfile {
  return profile.machines[machine]?.tpm ?? 'sim';
}

/** How a machine's BMC is reached in this profile. */
export function bmcOf(profile: DeviceProfile, machine: string): BmcProfile {
  return profile.machines[machine]?.bmc ?? 'sim';
}

const sensorKeyOrder: readonly SensorKey[] = ['inlet', 'cpu', 'exhaust'];

/** One sensor of a real BMC as the hosts read it: the profile's names over the simulator's. */
export interface RealBmcSensor {
  key: SensorKey;
  /** The IPMI SDR name. */
  name: string;
  /** Set when the profile gives the BMC SNMP. */
  snmpOid?: string;
  snmpScale?: number;
}

/**
 * The sensors of a real BMC, in the order inlet, cpu, exhaust: each field the profile gives, the
 * BMC simulator's otherwise (its SDR names, its ENTITY-SENSOR-MIB OIDs in tenths of a degree).
 */
export function realBmcSensors(bmc: RealBmcProfile): RealBmcSensor[] {
  return sensorKeyOrder.map((key) => {
    const sim = bmcSensors.find((s) => s.key === key);
    if (sim === undefined) throw new Error(`the BMC simulator has no sensor ${key}`);
    const given = bmc.sensors?.[key] ?? {};
    const sensor: RealBmcSensor = { key, name: given.name ?? sim.name };
    if (bmc.snmp !== undefined) {
      sensor.snmpOid = given.snmpOid ?? sensorValueOid(sim);
      sensor.snmpScale = given.snmpScale ?? 0.1;
    }
    return sensor;
  });
}

/** The environment variables a real BMC's secrets are read from, by the profile field naming each. */
export function bmcSecretVariables(bmc: RealBmcProfile): { field: string; variable: string }[] {
  const variables = [{ field: 'passwordEnv', variable: bmc.passwordEnv }];
  if (bmc.snmp?.version === '2c')
    variables.push({ field: 'snmp.communityEnv', variable: bmc.snmp.communityEnv });
  if (bmc.snmp?.version === '3') {
    variables.push({ field: 'snmp.authPasswordEnv', variable: bmc.snmp.authPasswordEnv });
    if (bmc.snmp.privPasswordEnv !== undefined)
      variables.push({ field: 'snmp.privPasswordEnv', variable: bmc.snmp.privPasswordEnv });
  }
  return variables;
}

export function upsOf(profile: DeviceProfile, ups: string): UpsProfile {
  return profile.ups[ups] ?? 'sim';
}

/** Every lab address the profile names: the only ones a run may reach on the lab network. */
export function labAddresses(profile: DeviceProfile): string[] {
  const addresses = new Set<string>();
  for (const machine of Object.values(profile.machines)) {
    if (typeof machine.tpm === 'object' && 'tcti' in machine.tpm) {
      const tcti = parseTcti(machine.tpm.tcti);
      if (tcti !== undefined) addresses.add(tcti.host);
    }
    if (machine.bmc !== 'sim') {
      const ipmi = parseIpmiAddress(machine.bmc.ipmi);
      if (ipmi !== undefined) addresses.add(ipmi.host);
    }
  }
  for (const ups of Object.values(profile.ups)) {
    if (ups !== 'sim') {
      const server = parseHostPort(ups.nut);
      if (server !== undefined) addresses.add(server.host);
    }
  }
  return [...addresses].sort();
}

/** True when any device of the profile is real. */
export function hasRealDevices(profile: DeviceProfile): boolean {
  return (
    Object.values(profile.machines).some((m) => m.tpm !== 'sim' || m.bmc !== 'sim') ||
    Object.values(profile.ups).some((u) => u !== 'sim')
  );
}
