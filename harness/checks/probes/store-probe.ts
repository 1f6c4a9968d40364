import type { StartedContainer } from '../../runtime/started-container.ts';

/** What one write-and-read-back through a host's store API looked like from an observer. */
export interface StoreRoundTrip {
  target: string;
  objectId: string;
  ok: boolean;
  /** HTTP status of the write and the read, 0 when no connection was made. */
  putStatus: number;
  getStatus: number;
  readBackMatches: boolean;
  command: string;
  detail: string;
}

function curlStatus(stdout: string): number {
  const status = Number(/HTTP_STATUS:(\d{3})/.exec(stdout)?.[1] ?? '0');
  return Number.isFinite(status) ? status : 0;
}

/** Writes an object through the store API from an observer and reads it back. */
export async function storeRoundTrip(
  observer: StartedContainer,
  address: string,
  port: number,
  objectId: string,
  payload: string,
): Promise<StoreRoundTrip> {
  const url = `http://${address}:${port}/objects/${objectId}`;
  const put = await observer.exec(
    [
      'curl',
      '-sS',
      '-m',
      '5',
      '-o',
      '/dev/null',
      '-w',
      'HTTP_STATUS:%{http_code}',
      '-X',
      'PUT',
      '--data-binary',
      '@-',
      url,
    ],
    { stdin: payload, timeoutMs: 10_000 },
  );
  const putStatus = curlStatus(put.stdout);
  const read = await storeRead(observer, address, port, objectId);
  const readBackMatches = read.body === payload;
  return {
    target: `${address}:${port}`,
    objectId,
    ok: putStatus === 201 && read.status === 200 && readBackMatches,
    putStatus,
    getStatus: read.status,
    readBackMatches,
    command: `curl -X PUT ${url}; curl ${url}`,
    detail: `PUT ${putStatus} ${put.stderr.trim()} / GET ${read.status} ${read.detail}`.trim(),
  };
}

/** Reads an object back through the store API. */
export async function storeRead(
  observer: StartedContainer,
  address: string,
  port: number,
  objectId: string,
): Promise<{ status: number; body: string; detail: string }> {
  const url = `http://${address}:${port}/objects/${objectId}`;
  const result = await observer.exec(
    ['curl', '-sS', '-m', '5', '-w', '\nHTTP_STATUS:%{http_code}', url],
    {
      timeoutMs: 10_000,
    },
  );
  const status = curlStatus(result.stdout);
  const body = result.stdout.replace(/\nHTTP_STATUS:\d{3}$/, '');
  return { status, body, detail: result.stderr.trim() };
}
