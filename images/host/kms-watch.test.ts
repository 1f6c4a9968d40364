import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const stackRoot = join(import.meta.dirname, 'rootfs', 'usr', 'lib', 'residency');

/**
 * The stack's KMS watch (kms_watch.py) with a stand-in KMIP client that answers a script of key
 * states or fails: pure logic. The real KMS (PyKMIP) is in the kms-key-custody scenario, which
 * revokes the key and stops the KMS.
 */
const script = String.raw`
import json, sys, threading
from residency import kms_watch, log, kmip_client
kms_watch.KMS_WATCH_INTERVAL_S = 0.001
events = []
log.event = events.append
answers = json.loads(sys.argv[1])
opened = []
class Client:
    def __init__(self, settings, connect_timeout_s=0):
        opened.append(connect_timeout_s)
    def __enter__(self):
        return self
    def __exit__(self, *_):
        pass
    def state(self, uid):
        answer = answers.pop(0) if answers else "ACTIVE"
        if answer == "DOWN":
            raise kmip_client.KmsError("KMS 10.0.0.1:5696 not answering")
        return answer
kmip_client.KmipClient = Client
stop = threading.Event()
seen = []
def on_not_active(state):
    seen.append(state)
watch = kms_watch.KmsWatch({"KMIP_SERVER_ADDRESS": "10.0.0.1:5696"}, "7", on_not_active, stop)
runner = threading.Thread(target=watch.run)
runner.start()
runner.join(timeout=2)
stopped_by_itself = not runner.is_alive()
stop.set(); runner.join()
print(json.dumps({"notActive": seen, "stoppedByItself": stopped_by_itself, "connections": len(opened),
                  "unavailable": sum("KMS_UNAVAILABLE" in e for e in events), "events": events}))
`;

function watch(answers: string[]) {
  return JSON.parse(
    execFileSync('python3', ['-c', script, JSON.stringify(answers)], {
      env: { ...process.env, PYTHONPATH: stackRoot },
      encoding: 'utf8',
    }),
  ) as {
    notActive: string[];
    stoppedByItself: boolean;
    connections: number;
    unavailable: number;
    events: string[];
  };
}

describe('the stack KMS watch', () => {
  it('drops the key once the KMS calls it anything but ACTIVE, and stops watching', () => {
    const revoked = watch(['ACTIVE', 'ACTIVE', 'COMPROMISED']);
    expect(revoked.notActive).toEqual(['COMPROMISED']);
    expect(revoked.stoppedByItself).toBe(true);
    expect(watch(['DEACTIVATED']).notActive).toEqual(['DEACTIVATED']);
  });

  it('keeps one connection while the KMS answers, and opens a new one after a failure', () => {
    expect(watch(['ACTIVE', 'ACTIVE', 'ACTIVE', 'DESTROYED']).connections).toBe(1);
    expect(watch(['ACTIVE', 'DOWN', 'ACTIVE', 'DESTROYED']).connections).toBe(2);
  });

  it('says once that the KMS does not answer, and that alone does not drop the key', () => {
    const outage = watch(['DOWN', 'DOWN', 'DOWN', 'ACTIVE', 'COMPROMISED']);
    expect(outage.unavailable).toBe(1);
    expect(outage.notActive).toEqual(['COMPROMISED']);
    expect(outage.events.some((e) => e.includes('answers again'))).toBe(true);
  });
});
