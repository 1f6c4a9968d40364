import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { openGcm } from '../../harness/checks/probes/data-at-rest.ts';
import { readVmFile, secretEncodings } from '../../harness/checks/probes/disk-forensics.ts';
import { unknown, verdictOf } from '../../harness/checks/verdict.ts';
import { dataKeyRecord } from '../../harness/contract/data-key-record.ts';
import { observationKey } from '../../harness/scenario/observation-key.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { unsealKek } from '../power-thermal/power-evidence.ts';
import type { KmsKeysObservation } from './kms-key-custody-evidence.ts';

/** The data key's record as the harness opened it off the VM disk with the KEK it unsealed. */
export interface DataKeyRecordObservation {
  host: string;
  /** Why it could not be judged (no record, no KEK, no data key from the KMS), else absent. */
  unreadable?: string;
  /** Whether it opened as AES-256-GCM under the KEK with the contract's AAD. */
  opened: boolean;
  /** The JSON's fields, sorted. */
  fields: string[];
  uid?: string;
  kms?: string;
  /** The length of `wrapped` in bytes, when it is hex. */
  wrappedBytes?: number;
  /** Whether the clear data key is anywhere in the opened record, in any common encoding. */
  keyInRecord: boolean;
}
export const dataKeyRecordSeen = observationKey<DataKeyRecordObservation>('data-key-record');

/** Opens `nonce || GCM(KEK, json) || tag` with the contract's AAD; undefined when it does not open. */
export function openDataKeyRecord(blob: Buffer, kek: Buffer): Buffer | undefined {
  return openGcm(blob, kek, dataKeyRecord.aad);
}

/** What an opened record says, against the data key the KMS gave the harness. */
export function readDataKeyRecord(
  host: string,
  clear: Buffer | undefined,
  dataKey: Buffer,
): DataKeyRecordObservation {
  const keyInRecord =
    clear !== undefined && secretEncodings(dataKey).some((encoded) => clear.includes(encoded));
  let parsed: Record<string, unknown> = {};
  try {
    if (clear !== undefined) parsed = JSON.parse(clear.toString('utf8')) as Record<string, unknown>;
  } catch {
    parsed = {};
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const wrapped = text(parsed.wrapped);
  return {
    host,
    opened: clear !== undefined,
    fields: Object.keys(parsed).sort(),
    ...(text(parsed.uid) === undefined ? {} : { uid: text(parsed.uid) }),
    ...(text(parsed.kms) === undefined ? {} : { kms: text(parsed.kms) }),
    ...(wrapped !== undefined && /^([0-9a-f]{2})*$/i.test(wrapped)
      ? { wrappedBytes: wrapped.length / 2 }
      : {}),
    keyInRecord,
  };
}

/**
 * Reads the record off the host's disk and opens it with the KEK the harness unseals with the
 * machine's TPM (from outside the stack): what the record holds is judged, not what the stack says.
 */
export async function observeDataKeyRecord(
  context: ScenarioContext,
  host: HostVm,
  dataKeyHex: string | undefined,
): Promise<DataKeyRecordObservation> {
  const unreadable = (why: string) =>
    context.observe(dataKeyRecordSeen, {
      host: host.name,
      unreadable: why,
      opened: false,
      fields: [],
      keyInRecord: false,
    });
  if (dataKeyHex === undefined) return unreadable('the KMS gave the harness no data key');
  const blob = await readVmFile(context.world, host, dataKeyRecord.path);
  if (blob === undefined) return unreadable(`no ${dataKeyRecord.path} on ${host.name}'s disk`);
  const kek = await unsealKek(context, host);
  return context.observe(
    dataKeyRecordSeen,
    readDataKeyRecord(host.name, openDataKeyRecord(blob, kek), Buffer.from(dataKeyHex, 'hex')),
  );
}

/**
 * The record is the contract's: sealed under the KEK, its fields exactly the four, its `uid` the
 * data key's on the KMS, its `wrapped` an RFC 3394 wrap of a 32-byte key, and the clear key in it
 * nowhere. A record with one field more (an "escrow" copy of the key "for when the HSM dies")
 * hands the data key to whoever can unseal the KEK: custody falls back to the TPM alone.
 */
export const dataKeyRecordCheck: Check = {
  name: 'data-key-record-as-contract',
  description: `The data key's record (${dataKeyRecord.path}), opened by the harness with the KEK it unsealed itself, is AES-256-GCM under the KEK with aad "${dataKeyRecord.aad}", holds exactly the fields ${dataKeyRecord.fields.join(', ')}, names the data key's KMIP id, holds a ${dataKeyRecord.wrappedBytes}-byte RFC 3394 wrap, and nowhere the clear data key`,
  verify(history) {
    const o = lastObservation(history, dataKeyRecordSeen).data;
    if (o.unreadable !== undefined) return unknown(o.unreadable);
    const uid = lastObservation<KmsKeysObservation>(history, 'kms-keys').data.dataKeyUid;
    const wanted = [...dataKeyRecord.fields].sort();
    const problems = [
      ...(o.opened ? [] : [`it does not open under the KEK with aad "${dataKeyRecord.aad}"`]),
      ...(o.opened && o.fields.join(',') !== wanted.join(',')
        ? [`its fields are ${o.fields.join(', ') || 'none'}, not ${wanted.join(', ')}`]
        : []),
      ...(o.opened && uid !== undefined && o.uid !== uid
        ? [`its uid is ${o.uid ?? 'missing'}, not the KMS's ${uid}`]
        : []),
      ...(o.opened && o.wrappedBytes !== dataKeyRecord.wrappedBytes
        ? [
            `its wrapped key is ${o.wrappedBytes === undefined ? 'not hex' : `${o.wrappedBytes} bytes`}, not ${dataKeyRecord.wrappedBytes}`,
          ]
        : []),
      ...(o.keyInRecord ? ['the clear data key is in it'] : []),
    ];
    return verdictOf(
      problems.length === 0,
      `${o.host}'s record opens under the KEK and holds the four fields, uid ${o.uid ?? '?'} and a ${o.wrappedBytes ?? '?'}-byte wrap`,
      `${o.host}'s data-key record: ${problems.join('; ')}`,
      {
        expected: `{${wanted.join(', ')}} under the KEK, uid ${uid ?? '(the KMS did not say)'}, wrapped ${dataKeyRecord.wrappedBytes} bytes, no clear key`,
        observed: o.opened
          ? `fields ${o.fields.join(', ')}; uid ${o.uid ?? '-'}; kms ${o.kms ?? '-'}; wrapped ${o.wrappedBytes ?? '-'} bytes; clear key ${o.keyInRecord ? 'FOUND' : 'not found'}`
          : 'did not open',
      },
    );
  },
};
