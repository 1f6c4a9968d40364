import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { fieldPath } from '../config/config-file.ts';
import { describeError, SovhError } from '../util/sovh-error.ts';
import {
  bmcSecretVariables,
  deviceProfileSchema,
  labAddresses,
  type DeviceProfile,
} from './device-profile.ts';

export interface LoadedProfile {
  /** The profile file's absolute path: every error about the profile names it. */
  file: string;
  profile: DeviceProfile;
}

const alternatives: Record<string, string> = {
  tpm: '`sim`, `{ tcti: "swtpm:host=H,port=P" }` (or mssim:), or `{ device: /dev/tpmrm0 }`',
  ups: '`sim` or `{ nut: "H:P", name: UPS, user: USER, passwordEnv: VARIABLE }`',
  bmc: '`sim` or `{ ipmi: "H[:P]", user: USER, passwordEnv: VARIABLE }` (optionally `snmp: { version: "2c", communityEnv: VARIABLE }` or `snmp: { version: "3", user: USER, authPasswordEnv: VARIABLE }`, and `sensors: { inlet: { name: "SDR NAME", snmpOid: OID, snmpScale: N } }`)',
  snmp: '`{ version: "2c", communityEnv: VARIABLE }` or `{ version: "3", user: USER, authPasswordEnv: VARIABLE, privPasswordEnv?: VARIABLE }`',
};
const knownFields: Record<string, string[]> = {
  '': ['labNetwork', 'machines', 'ups'],
  tpm: ['tcti', 'device'],
  ups: ['nut', 'name', 'user', 'passwordEnv'],
  machine: ['tpm', 'bmc'],
  bmc: ['ipmi', 'user', 'passwordEnv', 'cipherSuite', 'snmp', 'sensors'],
  sensors: ['inlet', 'cpu', 'exhaust'],
  sensor: ['name', 'snmpOid', 'snmpScale'],
  snmp: ['version', 'port', 'communityEnv', 'user', 'authPasswordEnv', 'privPasswordEnv'],
};

function deviceKind(path: readonly PropertyKey[]): string {
  if (path[0] === 'ups') return 'ups';
  if (path.includes('tpm')) return 'tpm';
  if (path.includes('snmp')) return 'snmp';
  if (path.includes('sensors')) return path.at(-1) === 'sensors' ? 'sensors' : 'sensor';
  if (path.includes('bmc')) return 'bmc';
  if (path[0] === 'machines' && path.length === 2) return 'machine';
  return '';
}

/** One problem of a profile: where in the file, what is wrong, and the fix. */
export function describeProfileIssue(issue: z.core.$ZodIssue): string {
  const field = fieldPath(issue.path);
  const where = field === '' ? '(the whole file)' : field;
  const kind = deviceKind(issue.path);
  if (issue.code === 'invalid_union') {
    // A device of the right shape with one bad field: that field's own problem says more than the
    // list of shapes (a TPM's `attestationKey: dsa`).
    const fieldIssue = issue.errors
      .filter((branch) => branch.length === 1)
      .flat()
      .find((i) => i.path.length === 1 && i.code !== 'unrecognized_keys' && i.path[0] !== kind);
    if (fieldIssue !== undefined)
      return describeProfileIssue({ ...fieldIssue, path: [...issue.path, ...fieldIssue.path] });
    return `${where}: not a device of this profile format: give ${alternatives[kind] ?? 'a valid value'}`;
  }
  if (issue.code === 'unrecognized_keys') {
    const known = knownFields[issue.path.length === 0 ? '' : kind] ?? [];
    return `${where}: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove them${known.length === 0 ? '' : ` (known fields: ${known.join(', ')})`}`;
  }
  if (issue.code === 'invalid_type') return `${where}: ${issue.message}; give a ${issue.expected}`;
  return `${where}: ${issue.message}`;
}

function invalid(file: string, problems: string[]): SovhError {
  return new SovhError(
    'PROFILE_INVALID',
    `${file} is not a valid device profile:\n${problems.map((p) => `  ${p}`).join('\n')}\n(the format is described in README.md, "Real hardware")`,
    { details: { file, problems } },
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Secrets written into the profile itself (a BMC's or UPS's `password`, an SNMP `community`). */
function secretsInFile(value: unknown): string[] {
  if (!isRecord(value)) return [];
  const found: string[] = [];
  const entries = (v: unknown) => (isRecord(v) ? Object.entries(v) : []);
  const check = (path: string, device: unknown, fields: Record<string, string>) => {
    if (!isRecord(device)) return;
    for (const [field, instead] of Object.entries(fields))
      if (field in device)
        found.push(
          `${path}.${field}: a secret is never written in the profile: remove it, put it in an environment variable and name that variable with \`${instead}\``,
        );
  };
  for (const [name, machine] of entries(value.machines)) {
    if (!isRecord(machine)) continue;
    check(`machines.${name}.bmc`, machine.bmc, { password: 'passwordEnv' });
    if (isRecord(machine.bmc))
      check(`machines.${name}.bmc.snmp`, machine.bmc.snmp, {
        community: 'communityEnv',
        authPassword: 'authPasswordEnv',
        privPassword: 'privPasswordEnv',
      });
  }
  for (const [name, ups] of entries(value.ups))
    check(`ups.${name}`, ups, { password: 'passwordEnv' });
  return found;
}

/**
 * Validates a device profile's value: its shape, then what the shape cannot say (remote devices
 * need a lab network; a password variable must be set). `env` is where passwords are read from.
 */
export function parseProfile(file: string, value: unknown, env: NodeJS.ProcessEnv): DeviceProfile {
  const secrets = secretsInFile(value);
  if (secrets.length > 0) throw invalid(file, secrets);
  const parsed = deviceProfileSchema.safeParse(value ?? {});
  if (!parsed.success) throw invalid(file, parsed.error.issues.map(describeProfileIssue));
  const profile = parsed.data;
  const problems: string[] = [];
  if (labAddresses(profile).length > 0 && profile.labNetwork === undefined) {
    problems.push(
      `labNetwork: missing; devices at ${labAddresses(profile).join(', ')} are reached only through a network the profile names: add \`labNetwork: <an existing internal Docker network>\``,
    );
  }
  for (const [name, ups] of Object.entries(profile.ups)) {
    if (ups !== 'sim' && (env[ups.passwordEnv] ?? '') === '') {
      problems.push(
        `ups.${name}.passwordEnv: the environment variable ${ups.passwordEnv} is not set: export it with the password of NUT user "${ups.user}"`,
      );
    }
  }
  for (const [name, machine] of Object.entries(profile.machines)) {
    if (machine.bmc === 'sim') continue;
    for (const { field, variable } of bmcSecretVariables(machine.bmc)) {
      if ((env[variable] ?? '') === '')
        problems.push(
          `machines.${name}.bmc.${field}: the environment variable ${variable} is not set: export it with the ${field === 'passwordEnv' ? `password of IPMI user "${machine.bmc.user}"` : `secret of the BMC's SNMP agent (${field})`}`,
        );
    }
  }
  if (problems.length > 0) throw invalid(file, problems);
  return profile;
}

/** Reads and validates a device profile (YAML or JSON). */
export async function loadProfileFile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedProfile> {
  const path = resolve(file);
  if (!existsSync(path))
    throw new SovhError(
      'PROFILE_NOT_FOUND',
      `device profile ${path} does not exist: give the path of a YAML profile (README.md, "Real hardware")`,
    );
  let value: unknown;
  try {
    value = parseYaml(await readFile(path, 'utf8')) as unknown;
  } catch (error) {
    throw new SovhError('PROFILE_SYNTAX', `${path} is not valid YAML: ${describeError(error)}`, {
      cause: error,
    });
  }
  return { file: path, profile: parseProfile(path, value, env) };
}

/** What of the scenarios' topologies a profile may name. */
export interface ProfileTargets {
  machines: ReadonlySet<string>;
  upses: ReadonlySet<string>;
}

/**
 * Every machine and UPS the profile names must be in the topology of at least one scenario of the
 * run: a misspelt name would otherwise leave the simulator in place and the lab unused, silently.
 */
export function checkProfileTargets(loaded: LoadedProfile, targets: ProfileTargets): void {
  const problems: string[] = [];
  const listed = (names: ReadonlySet<string>) =>
    names.size === 0 ? 'none' : [...names].sort().join(', ');
  for (const name of Object.keys(loaded.profile.machines)) {
    if (!targets.machines.has(name))
      problems.push(
        `machines.${name}: no machine "${name}" in the scenarios of this run: use one of ${listed(targets.machines)}, or remove the entry`,
      );
  }
  for (const name of Object.keys(loaded.profile.ups)) {
    if (!targets.upses.has(name))
      problems.push(
        `ups.${name}: no UPS "${name}" in the scenarios of this run: use one of ${listed(targets.upses)}, or remove the entry`,
      );
  }
  if (problems.length > 0) throw invalid(loaded.file, problems);
}
