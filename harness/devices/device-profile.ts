import { isIPv4 } from 'node:net';
import { z } from 'zod';

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

export const tpmProfileSchema = z.union([
  z.literal('sim'),
  z.strictObject({ tcti: tctiSchema }),
  z.strictObject({
    device: z.string().regex(/^\/dev\/tpm(rm)?\d+$/, {
      error: 'a TPM device is a character device node such as /dev/tpmrm0 (or /dev/tpm0)',
    }),
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

export const machineProfileSchema = z.strictObject({
  tpm: tpmProfileSchema.default('sim'),
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

/** A profile in which every device is simulated: what a run without `--profile` uses. */
export const allSimulated: DeviceProfile = { machines: {}, ups: {} };

/** How a machine's TPM is reached in this profile. */
export function tpmOf(profile: DeviceProfile, machine: string): TpmProfile {
  return profile.machines[machine]?.tpm ?? 'sim';
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
    Object.values(profile.machines).some((m) => m.tpm !== 'sim') ||
    Object.values(profile.ups).some((u) => u !== 'sim')
  );
}
