import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { History } from '../../harness/scenario/history.ts';
import { checkStatuses } from '../../harness/testing/check-statuses.ts';
import {
  dataKeyRecordCheck,
  openDataKeyRecord,
  readDataKeyRecord,
  type DataKeyRecordObservation,
} from './data-key-record.ts';

const kek = randomBytes(32);
const dataKey = randomBytes(32);

function seal(json: unknown, aad = 'residency-data-key-record'): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, nonce);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(JSON.stringify(json)), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

const record = {
  kms: '10.42.0.10:5696',
  uid: '7',
  hsmToken: 'hsm-a',
  wrapped: randomBytes(40).toString('hex'),
};

function observed(blob: Buffer): DataKeyRecordObservation {
  return readDataKeyRecord('vm1', openDataKeyRecord(blob, kek), dataKey);
}

async function statusOf(o: DataKeyRecordObservation): Promise<string | undefined> {
  const h = new History();
  h.record('observation', 'kms-keys', { dataKeyUid: '7', keys: [] });
  h.record('observation', 'data-key-record', o);
  return (await checkStatuses([dataKeyRecordCheck], h))[dataKeyRecordCheck.name];
}

describe('data-key-record-as-contract', () => {
  it("passes on the contract's record", async () => {
    expect(await statusOf(observed(seal(record)))).toBe('pass');
  });

  it('fails a record with the clear key in a field of its own (an escrow copy)', async () => {
    const escrow = observed(seal({ ...record, escrow: dataKey.toString('hex') }));
    expect(escrow.keyInRecord).toBe(true);
    expect(await statusOf(escrow)).toBe('fail');
  });

  it('fails the key in base64 inside a known field', async () => {
    expect(
      await statusOf(observed(seal({ ...record, hsmToken: dataKey.toString('base64') }))),
    ).toBe('fail');
  });

  it('fails a record under another AAD, a wrong uid, or a padded wrap', async () => {
    expect(await statusOf(observed(seal(record, 'residency-record')))).toBe('fail');
    expect(await statusOf(observed(seal({ ...record, uid: '9' })))).toBe('fail');
    expect(
      await statusOf(observed(seal({ ...record, wrapped: randomBytes(48).toString('hex') }))),
    ).toBe('fail');
  });

  it('fails a record that is not JSON under the KEK at all', async () => {
    expect(await statusOf(observed(Buffer.from(JSON.stringify(record))))).toBe('fail');
  });

  it('says unknown when the record could not be read', async () => {
    expect(
      await statusOf({
        host: 'vm1',
        unreadable: 'no record',
        opened: false,
        fields: [],
        keyInRecord: false,
      }),
    ).toBe('unknown');
  });
});
