import { describe, expect, it } from 'vitest';
import { SovhError } from './sovh-error.ts';
import { waitUntil } from './wait-until.ts';

describe('waitUntil', () => {
  it('returns the first defined value, retrying through errors', async () => {
    let calls = 0;
    const value = await waitUntil(
      () => {
        calls += 1;
        if (calls === 1) return Promise.reject(new Error('not yet'));
        return Promise.resolve(calls === 3 ? 'ready' : undefined);
      },
      { what: 'thing', expected: 'ready', timeoutMs: 2_000, intervalMs: 1 },
    );
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('times out with a message naming what, the expectation, the time and the last error', async () => {
    const error = await waitUntil(() => Promise.reject(new Error('connection refused')), {
      what: 'the store of vm1',
      expected: 'answering',
      timeoutMs: 30,
      intervalMs: 5,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SovhError);
    expect((error as SovhError).code).toBe('WAIT_TIMEOUT');
    expect((error as SovhError).message).toMatch(
      /^the store of vm1 not answering after \d+ms \(last error: connection refused\)$/,
    );
  });

  it('stops at once when the probe decides with a SovhError', async () => {
    const started = Date.now();
    await expect(
      waitUntil(() => Promise.reject(new SovhError('GAVE_UP', 'exited')), {
        what: 'x',
        expected: 'y',
        timeoutMs: 5_000,
      }),
    ).rejects.toMatchObject({ code: 'GAVE_UP' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('does not wait past its bound for a probe that never answers', async () => {
    const error = await waitUntil(() => new Promise<string | undefined>(() => undefined), {
      what: 'the load in the observer',
      expected: 'finished',
      timeoutMs: 30,
      probeGraceMs: 20,
    }).catch((e: unknown) => e);
    expect((error as SovhError).code).toBe('WAIT_TIMEOUT');
    expect((error as SovhError).message).toMatch(
      /^the load in the observer not finished after \d+ms \(last error: a probe did not answer within \d+ms\)$/,
    );
  });
});
