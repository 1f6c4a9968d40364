import { randomBytes } from 'node:crypto';
import type { MachineTpm } from '../../devices/machine-tpm.ts';

/**
 * The harness's own look at a machine's TPM with tpm2-tools, independent of the stack under test.
 */

export interface PrimaryKeyReading {
  handle: string;
  present: boolean;
  name?: string;
  qualifiedName?: string;
  detail: string;
  /** What tpm2_readpublic printed (the key's public area), kept as evidence. */
  output?: string;
}

export async function readPersistentKey(
  tpm: MachineTpm,
  handle: string,
): Promise<PrimaryKeyReading> {
  const result = await tpm.tool(['tpm2_readpublic', '-c', handle]);
  const text = result.stdout.toString();
  if (result.exitCode !== 0)
    return { handle, present: false, detail: result.stderr.trim().split('\n').pop() ?? '' };
  return {
    handle,
    present: true,
    name: /^name: ([0-9a-f]+)$/m.exec(text)?.[1],
    qualifiedName: /^qualified name: ([0-9a-f]+)$/m.exec(text)?.[1],
    detail: `tpm2_readpublic -c ${handle}`,
    output: text,
  };
}

export interface SealedObjectInspection {
  attributes: string;
  authPolicy: string;
  expectedPolicy: string;
  pcrs: string;
  detail: string;
}

/** Decodes a sealed object's public part and computes the PCR policy it should carry now. */
export async function inspectSealedObject(
  tpm: MachineTpm,
  publicPart: Buffer,
  pcrs: readonly number[],
): Promise<SealedObjectInspection> {
  const scratch = `/tmp/inspect-${randomBytes(4).toString('hex')}`;
  await tpm.container.writeFile(`${scratch}.pub`, publicPart);
  const printed = await tpm.tool(['tpm2_print', '-t', 'TPM2B_PUBLIC', `${scratch}.pub`]);
  const text = printed.stdout.toString();
  const selection = `sha256:${pcrs.join(',')}`;
  await tpm.tool(['tpm2_createpolicy', '--policy-pcr', '-l', selection, '-L', `${scratch}.policy`]);
  const policy = await tpm.container.exec(['od', '-An', '-tx1', '-v', `${scratch}.policy`]);
  return {
    attributes: /^attributes:\n\s+value: (.*)$/m.exec(text)?.[1] ?? '',
    authPolicy: /^authorization policy: ?([0-9a-f]*)$/m.exec(text)?.[1] ?? '',
    expectedPolicy: policy.stdout.replace(/\s+/g, ''),
    pcrs: selection,
    detail:
      printed.exitCode === 0
        ? 'tpm2_print -t TPM2B_PUBLIC kek.pub; tpm2_createpolicy --policy-pcr'
        : printed.stderr.trim(),
  };
}

export interface UnsealAttempt {
  /** How it was tried: with the PCR policy, or with no authorization at all. */
  mode: 'pcr-policy' | 'no-auth';
  ok: boolean;
  secret?: Buffer;
  detail: string;
}

/** Loads a sealed object under the TPM's storage key and tries to unseal it, as the harness. */
export async function tryUnseal(
  tpm: MachineTpm,
  parentHandle: string,
  sealed: { publicPart: Buffer; privatePart: Buffer },
  mode: UnsealAttempt['mode'],
  pcrs: readonly number[],
): Promise<UnsealAttempt> {
  const scratch = `/tmp/unseal-${randomBytes(4).toString('hex')}`;
  await tpm.container.writeFile(`${scratch}.pub`, sealed.publicPart);
  await tpm.container.writeFile(`${scratch}.priv`, sealed.privatePart);
  const load = await tpm.tool([
    'tpm2_load',
    '-C',
    parentHandle,
    '-u',
    `${scratch}.pub`,
    '-r',
    `${scratch}.priv`,
    '-c',
    `${scratch}.ctx`,
  ]);
  if (load.exitCode !== 0) {
    return { mode, ok: false, detail: `tpm2_load failed: ${lastLine(load.stderr)}` };
  }
  const args = ['tpm2_unseal', '-c', `${scratch}.ctx`];
  if (mode === 'pcr-policy') args.push('-p', `pcr:sha256:${pcrs.join(',')}`);
  const unseal = await tpm.tool(args);
  if (unseal.exitCode !== 0)
    return {
      mode,
      ok: false,
      detail: `tpm2_unseal failed: ${lastLine(unseal.stderr, /0x[0-9A-Fa-f]+|tpm:/)}`,
    };
  return {
    mode,
    ok: true,
    secret: unseal.stdout,
    detail: `unsealed ${unseal.stdout.length} bytes`,
  };
}

function lastLine(text: string, prefer?: RegExp): string {
  const lines = text.trim().split('\n').filter(Boolean);
  const preferred =
    prefer === undefined
      ? undefined
      : lines.filter((l) => prefer.test(l) && !/Unable to run/.test(l)).pop();
  return preferred ?? lines.pop() ?? '';
}
