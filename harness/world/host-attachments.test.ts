import { describe, expect, it } from 'vitest';
import { isSovhError } from '../util/sovh-error.ts';
import { mergeHostAttachments } from './host-attachments.ts';

describe('mergeHostAttachments', () => {
  it('collects the volumes, files and environment of every simulator in reach', () => {
    const merged = mergeHostAttachments('vm1', [
      {
        sim: 'hsm-a',
        attachments: { volumes: [{ source: 'sock', target: '/run/hsm', readOnly: true }] },
      },
      {
        sim: 'kms',
        attachments: {
          files: [{ path: '/etc/pki/sovereign/client.key', content: 'k', mode: 0o600 }],
          environment: { A: '1' },
        },
      },
    ]);
    expect(merged.volumes).toEqual([{ source: 'sock', target: '/run/hsm', readOnly: true }]);
    expect(merged.files).toEqual([
      { path: '/etc/pki/sovereign/client.key', content: 'k', mode: 0o600 },
    ]);
    expect(merged.environment).toEqual({ A: '1' });
  });

  it('defaults volumes to read-write and files to mode 0644', () => {
    const merged = mergeHostAttachments('vm1', [
      {
        sim: 's',
        attachments: {
          volumes: [{ source: 'v', target: '/x' }],
          files: [{ path: '/f', content: 'c' }],
        },
      },
    ]);
    expect(merged.volumes[0]?.readOnly).toBe(false);
    expect(merged.files[0]?.mode).toBe(0o644);
  });

  it('refuses two simulators that attach the same mount target, naming both', () => {
    const attach = { volumes: [{ source: 'sock', target: '/run/hsm' }] };
    let error: unknown;
    try {
      mergeHostAttachments('vm1', [
        { sim: 'hsm-a', attachments: attach },
        { sim: 'hsm-b', attachments: attach },
      ]);
    } catch (caught) {
      error = caught;
    }
    expect(isSovhError(error, 'HOST_ATTACHMENT_CONFLICT')).toBe(true);
    expect((error as Error).message).toMatch(/hsm-a and hsm-b both attach a volume at \/run\/hsm/);
  });

  it('refuses two simulators that set the same file or environment variable', () => {
    expect(() =>
      mergeHostAttachments('vm1', [
        { sim: 'a', attachments: { files: [{ path: '/f', content: '1' }] } },
        { sim: 'b', attachments: { files: [{ path: '/f', content: '2' }] } },
      ]),
    ).toThrow(/the file \/f/);
    expect(() =>
      mergeHostAttachments('vm1', [
        { sim: 'a', attachments: { environment: { X: '1' } } },
        { sim: 'b', attachments: { environment: { X: '2' } } },
      ]),
    ).toThrow(/environment variable X/);
  });
});
