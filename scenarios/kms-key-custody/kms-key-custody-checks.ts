import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { withPositiveControl } from '../../harness/checks/positive-control.ts';
import { fail, pass, type Verdict, verdictOf } from '../../harness/checks/verdict.ts';
import type { HsmKeyInspection } from '../../sims/hsm/hsm.ts';
import type { NamedForeignKmsObservation } from './named-foreign-kms.ts';
import { served, timeline } from './load-timeline.ts';
import {
  dataKeyName,
  type AtRestObservation,
  type ClientConfObservation,
  type ForeignKmsObservation,
  type HsmDependencyObservation,
  type KmsKeysObservation,
  kmsOutage,
  rootCanaryPath,
} from './kms-key-custody-evidence.ts';

/**
 * What a scan found stands; that it found nothing holds only if the same scan of the host's files
 * found the canary the harness planted on the root filesystem.
 */
function scanVerdict(rest: AtRestObservation, found: readonly string[], verdict: () => Verdict) {
  if (found.length > 0) return verdict();
  return withPositiveControl(
    {
      seen: rest.rootCanaryFound,
      what: `the harness's canary at ${rootCanaryPath} in the scan of the host's files`,
    },
    verdict,
  );
}

export const kmsKeyCustodyChecks: Check[] = [
  {
    name: 'data-key-from-local-kms',
    description:
      'The local KMS holds the host\u2019s data key (AES-256, ACTIVE, seen over KMIP by the harness) and the stored object opens with exactly that key',
    verify(history) {
      const kms = lastObservation<KmsKeysObservation>(history, 'kms-keys').data;
      const rest = lastObservation<AtRestObservation>(history, 'at-rest').data;
      const key = kms.keys.find((k) => k.name === dataKeyName);
      const problems: string[] = [];
      if (key === undefined)
        problems.push(`no key named ${dataKeyName} owned by ${kms.identity} on ${kms.kms}`);
      else {
        if (key.state !== 'ACTIVE')
          problems.push(`the key is ${key.state ?? 'in no state'}, not ACTIVE`);
        if (key.algorithm !== 'AES' || key.lengthBits !== 256)
          problems.push(`the key is ${key.algorithm ?? '?'}-${key.lengthBits ?? '?'}, not AES-256`);
      }
      if (!rest.opensWithKmsKey)
        problems.push(
          `the object ${rest.objectId} on the data disk does not open with the KMS key (AES-GCM under that key, object id as AAD)`,
        );
      else if (!rest.matchesPayload)
        problems.push('the object opens but holds other bytes than were written');
      return verdictOf(
        problems.length === 0,
        `the object rests under KMS key ${key?.uid ?? '?'} (${dataKeyName})`,
        problems.join('; '),
        {
          expected: `one ACTIVE AES-256 key ${dataKeyName} on the local KMS that opens the stored object`,
          observed: `keys: ${JSON.stringify(kms.keys)}; object ${rest.objectFileBytes} bytes, opens with it: ${rest.opensWithKmsKey}`,
          evidence: [
            {
              source: `kmip-admin --as ${kms.identity} list (KMIP Locate + Get Attributes) on ${kms.kms}`,
              excerpt: JSON.stringify(kms.keys),
            },
            {
              source: `AES-GCM open of ${rest.objectId}.obj from the data disk with the KMIP Get result`,
              excerpt: rest.opensWithKmsKey ? 'authenticated' : 'did not authenticate',
            },
          ],
        },
      );
    },
  },
  {
    name: 'data-key-never-on-disk',
    description:
      'The clear data key (as the KMS gives it) is in no file of the VM, raw, hex or base64: neither on its two disks nor in the running host\u2019s own files (root filesystem, tmpfs)',
    verify(history) {
      const kms = lastObservation<KmsKeysObservation>(history, 'kms-keys').data;
      const rest = lastObservation<AtRestObservation>(history, 'at-rest').data;
      if (kms.dataKeyHex === undefined)
        return fail(
          'the data key could not be read from the KMS, so the disks were not scanned for it',
        );
      return scanVerdict(rest, rest.keyFoundIn, () =>
        verdictOf(
          rest.keyFoundIn.length === 0,
          'the data key is on neither disk',
          `the clear data key is on disk in ${rest.keyFoundIn.join(', ')}`,
          {
            expected: 'no file holds the key',
            observed: rest.keyFoundIn.join(', ') || 'no file holds the key',
            evidence: [
              {
                source: `scan-bytes over /var/lib/residency and /data (read-only forensic mount), and the running host's own files (${rest.hostFilesScanned})`,
                excerpt: rest.keyFoundIn.join(', ') || 'not found',
              },
            ],
          },
        ),
      );
    },
  },
  {
    name: 'ciphertext-only-at-rest',
    description:
      'The written payload is nowhere on the VM disks in clear, neither whole nor in part (its random first 32 bytes are searched, so a preview or a truncated copy counts)',
    verify(history) {
      const rest = lastObservation<AtRestObservation>(history, 'at-rest').data;
      return scanVerdict(rest, rest.payloadFoundIn, () =>
        verdictOf(
          rest.payloadFoundIn.length === 0,
          'only ciphertext rests on the disks',
          `the payload is in clear in ${rest.payloadFoundIn.join(', ')}`,
          {
            expected: 'no file holds the payload',
            observed: rest.payloadFoundIn.join(', ') || 'not found',
            evidence: [
              {
                source: `scan-bytes over both VM disks, and the running host's own files (${rest.hostFilesScanned} read through /proc/PID/root)`,
                excerpt: rest.payloadFoundIn.join(', ') || 'not found',
              },
            ],
          },
        ),
      );
    },
  },
  {
    name: 'unwrap-needs-the-hsm',
    description:
      'Booted with the cell HSM unreachable the store does not serve (ERR_CRYPTO_DEVICE_NOT_FOUND logged); with the HSM back it serves the earlier object',
    verify(history) {
      const o = lastObservation<HsmDependencyObservation>(history, 'hsm-dependency').data;
      const problems: string[] = [];
      if (o.servedWithoutHsm) problems.push('the store served after a boot without its HSM');
      if (o.secureLogLines.length === 0)
        problems.push('no ERR_CRYPTO_DEVICE_NOT_FOUND in /var/log/hsm/secure.log');
      if (o.readBackAfterReconnect.status !== 200 || !o.readBackAfterReconnect.matches) {
        problems.push(
          `with the HSM back the earlier object did not read back (status ${o.readBackAfterReconnect.status})`,
        );
      }
      return verdictOf(
        problems.length === 0,
        'the data key opened only with the HSM present',
        problems.join('; '),
        {
          expected: 'no service without the HSM; service and data back with it',
          observed: `served without HSM: ${o.servedWithoutHsm}; read back after reconnect: ${o.readBackAfterReconnect.status}`,
          evidence: [
            {
              source: 'tcp probe of the store port from the zone observer, HSM cut',
              excerpt: o.servedWithoutHsm ? 'accepted' : 'refused',
            },
            {
              source: '/var/log/hsm/secure.log on the VM disk',
              excerpt: o.secureLogLines.slice(-2).join('\n') || '(none)',
            },
          ],
        },
      );
    },
  },
  {
    name: 'hsm-key-non-extractable',
    description:
      'The HSM\u2019s wrapping key is sensitive and never extractable: its value cannot be read and it cannot be wrapped out',
    verify(history) {
      const o = lastObservation<HsmKeyInspection>(history, 'hsm-key').data;
      if (o.found !== 1 || o.attributes === undefined)
        return fail(`the token ${o.token} holds ${o.found} keys labelled ${o.keyLabel}`);
      const problems: string[] = [];
      if (o.attributes.extractable || !o.attributes.neverExtractable)
        problems.push('the key is or was extractable');
      if (!o.attributes.sensitive || !o.attributes.alwaysSensitive)
        problems.push('the key is or was not sensitive');
      if (o.valueRead === true)
        problems.push(`its value could be read (${o.valueReadResult ?? ''})`);
      if (o.wrapOut === true) problems.push(`it could be wrapped out (${o.wrapOutResult ?? ''})`);
      const evidence = [
        { source: 'hsm-inspect (PKCS#11 on the token)', excerpt: JSON.stringify(o) },
      ];
      return problems.length === 0
        ? pass(`key ${o.keyLabel} on token ${o.token} stays in the HSM`, {
            evidence,
            observed: `read: ${o.valueReadResult ?? ''}; wrap out: ${o.wrapOutResult ?? ''}`,
          })
        : fail(problems.join('; '), { evidence });
    },
  },
  {
    name: 'foreign-kms-never-contacted',
    description:
      'Nothing tries the KMS abroad: it receives no connection attempt during the run (counted by its kernel), and the host whose site file names it sends it no packet (counted by the harness in that host\u2019s namespace, ahead of its fence) and refuses it; each counter sees the connection the harness makes on purpose',
    verify(history) {
      const o = lastObservation<ForeignKmsObservation>(history, 'foreign-kms').data;
      const named = lastObservation<NamedForeignKmsObservation>(history, 'named-foreign-kms').data;
      if (o.control.synCount <= o.synCount)
        return {
          status: 'unknown',
          summary: `the counter of ${o.kms} did not see the harness's own connection from ${o.control.from} (${o.synCount} -> ${o.control.synCount}), so its silence proves nothing`,
        };
      const attempts = named.attempts ?? 0;
      if (named.attempts === undefined || (named.controlAttempts ?? 0) <= attempts)
        return {
          status: 'unknown',
          summary: `the harness's counter in ${named.host}'s namespace ${named.attempts === undefined ? 'was gone after the boot' : `did not see the harness's own connection (${attempts} -> ${String(named.controlAttempts)})`}, so it proves nothing about ${named.host}'s attempts`,
        };
      if (named.outcome === 'none' && attempts === 0)
        return {
          status: 'unknown',
          summary: `${named.host}'s boot with ${named.kms} as its KMS reached no outcome (no refusal logged, no attempt, no store) within the bound`,
        };
      const problems = [
        ...(o.synCount > 0 || o.sources.length > 0
          ? [`${o.kms} was contacted ${o.synCount} time(s) from ${o.sources.join(', ') || '?'}`]
          : []),
        ...(attempts > 0
          ? [`${named.host}, named to it, sent ${attempts} packet(s) toward ${named.kms}`]
          : []),
        ...(named.outcome === 'serving'
          ? [`${named.host} serves with ${named.kms} named as its KMS`]
          : []),
        ...(named.outcome === 'refused' || attempts > 0
          ? []
          : [`${named.host} did not log GEOGRAPHIC_FENCE_ERROR for ${named.kms}`]),
      ];
      return verdictOf(
        problems.length === 0,
        `${o.kms} was never contacted; ${named.host}, named to it, refused it without a packet toward it`,
        problems.join('; '),
        {
          expected: `0 connection attempts at ${o.kms}; 0 packets toward it from ${named.host}; ${named.host} refuses it`,
          observed: `${o.synCount} SYN(s) at the KMS; ${attempts} packet(s) from ${named.host}; outcome ${named.outcome}`,
          evidence: [
            {
              source: `iptables counter on ${o.kms}'s KMIP port and its server log`,
              excerpt: `syn ${o.synCount}`,
            },
            {
              source: `positive control: a TCP connection from ${o.control.from} made by the harness`,
              excerpt: `counter ${o.synCount} -> ${o.control.synCount} (${o.control.connected ? 'accepted' : 'not accepted'})`,
            },
            {
              source: `the harness's nft counter in ${named.host}'s namespace (output hook, priority -400) during its boot, then the harness's own connection`,
              excerpt: `packets ${attempts} -> ${String(named.controlAttempts)}`,
            },
            {
              source: `${named.host}'s residency log, read off its disk`,
              excerpt: named.refusalLines.join('\n') || '(no refusal line)',
            },
          ],
        },
      );
    },
  },
  {
    name: 'kmip-client-configured',
    description:
      'The stack\u2019s /etc/key-management/client.conf names the local KMS and the client certificate paths of the manual (second witness)',
    verify(history) {
      const o = lastObservation<ClientConfObservation>(history, 'kmip-client-conf').data;
      const wanted = [
        `KMIP_SERVER_ADDRESS=${o.expectedAddress}`,
        'CERT_PATH=/etc/pki/sovereign/client.crt',
        'KEY_PATH=/etc/pki/sovereign/client.key',
      ];
      const missing = wanted.filter((line) => !o.text.split('\n').includes(line));
      return verdictOf(
        missing.length === 0,
        'client.conf names the local KMS',
        `client.conf lacks ${missing.join(', ')}`,
        {
          expected: wanted.join('; '),
          observed: o.text.trim() || '(no file)',
          evidence: [
            { source: '/etc/key-management/client.conf in the host', excerpt: o.text.trim() },
          ],
        },
      );
    },
  },
  {
    name: 'unwrap-fails-closed-without-kms',
    description:
      'With the KMS down, an HSM that comes back does not bring the data key back: the store serves nothing and the HSM serves no decryption (its own log) until the KMS answers; then the store serves again',
    verify(history) {
      const o = lastObservation(history, kmsOutage).data;
      const window = o.requests.filter((r) => r.atMs <= o.kmsBackBeganAtMs);
      const wrong = window.filter(served);
      const decryptsWhileDown = o.hsmDecryptsAtMs.filter((at) => at < o.kmsBackBeganAtMs);
      const problems: string[] = [];
      if (window.length === 0) problems.push('no store request ran while the KMS was down');
      if (wrong.length > 0)
        problems.push(
          `${wrong.length} of ${window.length} requests served without the KMS (${timeline(wrong.slice(0, 3), o.hsmHealedAtMs)})`,
        );
      if (decryptsWhileDown.length > 0)
        problems.push(
          `the HSM served ${decryptsWhileDown.length} decryption(s) while the KMS was down, the first ${Math.round((decryptsWhileDown[0] ?? 0) - o.hsmHealedAtMs)} ms after the HSM came back`,
        );
      if (o.servedAgainAtMs === undefined)
        problems.push('the store did not serve again once the KMS was back');
      else if (problems.length === 0 && decryptsWhileDown.length === o.hsmDecryptsAtMs.length)
        return {
          status: 'unknown',
          summary:
            "the HSM's log shows no unwrap even after the store served again, so its silence while the KMS was down proves nothing",
        };
      return verdictOf(
        problems.length === 0,
        `nothing served and nothing unwrapped for ${Math.round(o.kmsBackBeganAtMs - o.hsmHealedAtMs)} ms with the HSM back and the KMS down; served again ${Math.round((o.servedAgainAtMs ?? 0) - o.kmsBackBeganAtMs)} ms after the KMS was started`,
        problems.join('; '),
        {
          expected:
            'every request refused and no HSM decryption while the KMS is down; the store serves again with the KMS back',
          observed: `${window.length - wrong.length}/${window.length} refused; HSM decryptions while down: ${decryptsWhileDown.length}, after: ${o.hsmDecryptsAtMs.length - decryptsWhileDown.length}; served again: ${o.servedAgainAtMs === undefined ? 'no' : 'yes'}`,
          evidence: [
            {
              source: 'load from the zone observer (PUT, GET, GET of the object stored before)',
              excerpt: timeline(window.slice(0, 12), o.hsmHealedAtMs),
            },
            {
              source: "C_Decrypt* in the HSM's p11-kit RPC log, ms after the HSM came back",
              excerpt:
                o.hsmDecryptsAtMs.map((at) => Math.round(at - o.hsmHealedAtMs)).join(', ') ||
                '(none)',
            },
          ],
        },
      );
    },
  },
];
