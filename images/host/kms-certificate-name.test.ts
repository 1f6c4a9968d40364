import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const stackRoot = join(import.meta.dirname, 'rootfs', 'usr', 'lib', 'residency');

/**
 * The stack's check of the name in the KMS's certificate (kmip_client.py, `_require_named`) with a
 * stand-in for PyKMIP's TLS socket: pure logic. The real handshake with impostors is in the
 * kms-impostor scenario.
 */
const script = String.raw`
import json, sys
from residency import kmip_client
called, alt_names = sys.argv[1], json.loads(sys.argv[2])
class Socket:
    def getpeercert(self):
        return {"subject": ((("commonName", "kms"),),), "subjectAltName": tuple(tuple(n) for n in alt_names)}
client = kmip_client.KmipClient.__new__(kmip_client.KmipClient)
client.address, client._host = called + ":5696", called
client._client = type("Proxy", (), {"proxy": type("P", (), {"socket": Socket()})()})()
try:
    client._require_named()
    print(json.dumps({"accepted": True}))
except kmip_client.KmsError as error:
    print(json.dumps({"accepted": False, "error": str(error)}))
`;

function verdict(
  called: string,
  altNames: [string, string][],
): { accepted: boolean; error?: string } {
  return JSON.parse(
    execFileSync('python3', ['-c', script, called, JSON.stringify(altNames)], {
      env: { ...process.env, PYTHONPATH: stackRoot },
      encoding: 'utf8',
    }),
  ) as { accepted: boolean; error?: string };
}

describe("the stack's check of the KMS certificate's name", () => {
  it('accepts a certificate that names the address it called, IPv6 spelt in full too', () => {
    expect(
      verdict('10.42.0.3', [
        ['IP Address', '10.42.0.3'],
        ['DNS', 'kms'],
      ]).accepted,
    ).toBe(true);
    expect(verdict('fd5a:42::3', [['IP Address', 'FD5A:42:0:0:0:0:0:3']]).accepted).toBe(true);
  });

  it('refuses one issued to another KMS, and one whose common name alone matches', () => {
    const other = verdict('10.42.0.3', [
      ['IP Address', '192.0.2.10'],
      ['DNS', 'kms-standby'],
    ]);
    expect(other.accepted).toBe(false);
    expect(other.error).toMatch(
      /presented a certificate for 192\.0\.2\.10, kms-standby, not for 10\.42\.0\.3/,
    );
    expect(verdict('kms', []).accepted).toBe(false);
  });
});
