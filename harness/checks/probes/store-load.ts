import type { StartedContainer } from '../../runtime/started-container.ts';

/** One request of a load run: when it began and ended (epoch ms), where, what, how it went. */
export interface LoadRequest {
  startedAtMs: number;
  atMs: number;
  host: string;
  op: 'put' | 'get';
  objectId: string;
  /** HTTP status, 0 when no answer (connection refused or timed out). */
  status: number;
  ok: boolean;
  /** No answer: why (refused, timed out). */
  error?: string;
  /** A refusal's own reason: the `error` of its JSON body (the contract's code), when it has one. */
  code?: string;
}

export interface LoadTarget {
  host: string;
  address: string;
  port: number;
  /** An object stored before the load: each round also reads it back (a read of data at rest). */
  standing?: { objectId: string; payload: string };
}

/** Every payload of a load starts with this, then the object id: scans search the disks for it. */
export const loadPayloadPrefix = 'sovereign payload';

/** The payload the load writes for an object (deterministic, so scans can look for it). */
export function loadPayload(objectId: string): string {
  return `${loadPayloadPrefix} ${objectId}`;
}

/**
 * A load of store requests from an observer, round robin over the targets for a while: each
 * round writes a new object to every target and reads it back. Runs as one Python process in the
 * observer, so the load keeps its pace while the harness injects faults meanwhile.
 */
const loadScript = String.raw`
import http.client, json, sys, time
import os
targets, duration_s, prefix, payload_prefix = json.loads(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
stop_file = sys.argv[5] if len(sys.argv) > 5 else None
results, end, round_no = [], time.time() + duration_s, 0
def request(t, method, path, body=None):
    try:
        c = http.client.HTTPConnection(t["address"], t["port"], timeout=5)
        c.request(method, path, body=body)
        r = c.getresponse(); data = r.read(); c.close()
        return r.status, data, None
    except Exception as e:
        return 0, b"", str(e)[:200]
def code_of(s, data):
    if s < 400: return {}
    try: code = json.loads(data).get("error")
    except Exception: return {}
    return {"code": str(code)[:80]} if code else {}
while time.time() < end and not (stop_file and os.path.exists(stop_file)):
    round_no += 1
    for t in targets:
        oid = f"{prefix}-{t['host']}-{round_no}"
        payload = f"{payload_prefix} {oid}".encode()
        began = time.time() * 1000
        s, body, e = request(t, "PUT", "/objects/" + oid, payload)
        results.append({"startedAtMs": began, "atMs": time.time() * 1000, "host": t["host"], "op": "put", "objectId": oid, "status": s, "ok": s == 201, **({"error": e} if e else {}), **code_of(s, body)})
        began = time.time() * 1000
        s, body, e = request(t, "GET", "/objects/" + oid)
        ok = s == 200 and body == payload
        results.append({"startedAtMs": began, "atMs": time.time() * 1000, "host": t["host"], "op": "get", "objectId": oid, "status": s, "ok": ok, **({"error": e} if e else {}), **code_of(s, body)})
        standing = t.get("standing")
        if standing:
            began = time.time() * 1000
            s, body, e = request(t, "GET", "/objects/" + standing["objectId"])
            ok = s == 200 and body == standing["payload"].encode()
            results.append({"startedAtMs": began, "atMs": time.time() * 1000, "host": t["host"], "op": "get", "objectId": standing["objectId"], "status": s, "ok": ok, **({"error": e} if e else {}), **code_of(s, body)})
    time.sleep(0.05)
print(json.dumps(results))
`;

/**
 * Runs the load for `durationMs`, or until `stopFile` exists in the observer (a schedule whose
 * faults take as long as they take ends its load with `stopStoreLoad`).
 */
export async function runStoreLoad(
  observer: StartedContainer,
  targets: readonly LoadTarget[],
  durationMs: number,
  objectPrefix: string,
  stopFile?: string,
): Promise<LoadRequest[]> {
  const result = await observer.run(
    [
      'python3',
      '-c',
      loadScript,
      JSON.stringify(targets),
      String(durationMs / 1000),
      objectPrefix,
      loadPayloadPrefix,
      ...(stopFile === undefined ? [] : [stopFile]),
    ],
    { timeoutMs: durationMs + 60_000 },
  );
  return JSON.parse(result.stdout) as LoadRequest[];
}

/**
 * The refusals among `requests` (an answer of 400 or more) that do not name `code` in their body,
 * as `status code` texts: the contract names the reason for each kind of refusal.
 */
export function refusalsNotNaming(
  requests: readonly LoadRequest[],
  code: string,
): { refusals: number; other: string[] } {
  const refusals = requests.filter((r) => r.status >= 400);
  return {
    refusals: refusals.length,
    other: refusals
      .filter((r) => r.code !== code)
      .map((r) => `${r.status} ${r.code ?? '(no error in the body)'}`),
  };
}

/** Counts of a load's requests, for evidence. */
export function summarizeLoad(requests: readonly LoadRequest[]): string {
  const ok = requests.filter((r) => r.ok).length;
  return `${ok}/${requests.length} ok`;
}

/** Ends a load started with a stop file after its current round. */
export async function stopStoreLoad(observer: StartedContainer, stopFile: string): Promise<void> {
  await observer.run(['touch', stopFile], { timeoutMs: 10_000 });
}
