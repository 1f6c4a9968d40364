import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunSession } from '../../harness/runtime/run-session.ts';
import { prepareEnvironment, type RunEnvironment } from '../../harness/scenario/environment.ts';
import { consoleLogger } from '../../harness/util/log.ts';
import { kmsKind, kmsOptions, StartedKms } from './kms.ts';

/** The KMS's server certificate verifies against the authority its clients are given. */
async function expectServerSignedByClientsAuthority(kms: StartedKms): Promise<void> {
  const verify = await kms.container.exec([
    'openssl',
    'verify',
    '-CAfile',
    '/etc/kms/pki/ca.crt',
    '/etc/kms/pki/server.crt',
  ]);
  expect(verify.exitCode, verify.stderr).toBe(0);
}

describe('the kms simulator (PyKMIP over mutual TLS)', () => {
  let environment: RunEnvironment;
  let session: RunSession;
  let startKms: (name: string, address: string, options: unknown) => Promise<StartedKms>;
  let kms: StartedKms;

  beforeAll(async () => {
    environment = await prepareEnvironment({ log: consoleLogger() });
    const image = await environment.images.ensure(kmsKind.image);
    session = await RunSession.open({
      docker: environment.engine.docker,
      namespace: environment.namespace,
      log: environment.log,
      scenario: 'kms-sim-test',
    });
    const network = await session.createNetwork('kms-test', ['10.91.0.0/24']);
    startKms = async (name, address, options) => {
      const started = await kmsKind.start({
        session,
        image: image.tag,
        service: {
          name,
          kind: 'kms',
          zone: 'sovereign',
          legs: [],
          options: kmsOptions.parse(options),
        },
        network: { name: network.name, address },
      });
      if (!(started instanceof StartedKms)) throw new Error('the kind did not start a StartedKms');
      return started;
    };
    kms = await startKms('kms', '10.91.0.2', { port: 5696 });
    await kms.waitUntilListening();
  });

  afterAll(async () => {
    await session.teardown();
  });

  it('issues a client certificate for a name from its own CA', async () => {
    const credentials = await kms.issue('vm-test');
    expect(credentials.certificate).toMatch(/BEGIN CERTIFICATE/);
    expect(credentials.key).toMatch(/PRIVATE KEY/);
    const subject = await kms.container.run([
      'openssl',
      'x509',
      '-noout',
      '-subject',
      '-ext',
      'extendedKeyUsage',
      '-in',
      '/etc/kms/clients/vm-test/client.crt',
    ]);
    expect(subject.stdout).toMatch(/CN = vm-test/);
    expect(subject.stdout).toMatch(/TLS Web Client Authentication/);
    const verify = await kms.container.exec([
      'openssl',
      'verify',
      '-CAfile',
      '/etc/kms/pki/ca.crt',
      '/etc/kms/clients/vm-test/client.crt',
    ]);
    expect(verify.exitCode).toBe(0);
  });

  it('presents a server certificate that the authority its clients are given signed', async () => {
    await expectServerSignedByClientsAuthority(kms);
    const names = await kms.container.run([
      'openssl',
      'x509',
      '-noout',
      '-ext',
      'subjectAltName',
      '-in',
      '/etc/kms/pki/server.crt',
    ]);
    expect(names.stdout).toMatch(/IP Address:10\.91\.0\.2/);
    // kmip-admin trusts the server's signer: here the same authority (an impostor's is another).
    const same = await kms.container.exec([
      'cmp',
      '/etc/kms/pki/ca.crt',
      '/etc/kms/pki/server-signer.crt',
    ]);
    expect(same.exitCode).toBe(0);
  });

  it("presents, as common-name-only, a certificate its clients' authority signed with the address as common name and no subjectAltName", async () => {
    // The start returns once the KMS has made its authority and its server's certificate.
    const sanLess = await startKms('kms-san-less', '10.91.0.3', {
      serverCertificate: 'common-name-only',
    });
    await expectServerSignedByClientsAuthority(sanLess);
    const text = (
      await sanLess.container.run([
        'openssl',
        'x509',
        '-noout',
        '-text',
        '-in',
        '/etc/kms/pki/server.crt',
      ])
    ).stdout;
    expect(text).toMatch(/Subject: .*CN = 10\.91\.0\.3$/m);
    expect(text).not.toMatch(/Subject Alternative Name/);
    expect(text).toMatch(/TLS Web Server Authentication/);
    expect(text).toMatch(/Digital Signature, Key Agreement/);
  });

  it('creates, lists, reads, revokes and destroys a key over KMIP, for its owner only', async () => {
    const created = await kms.createKey('owner', 'test-key');
    expect(created).toMatchObject({
      name: 'test-key',
      state: 'ACTIVE',
      algorithm: 'AES',
      lengthBits: 256,
    });
    expect((await kms.getKey('owner', created.uid)).value).toHaveLength(32);
    expect(await kms.listKeys('stranger')).toEqual([]);
    expect((await kms.revokeKey('owner', created.uid)).state).toBe('COMPROMISED');
    await kms.destroyKey('owner', created.uid);
    await expect(kms.getKey('owner', created.uid)).rejects.toThrow(/KMIP_ADMIN_FAILED|exited/);
    // The server's own log names each operation's client and source, in order.
    const owners = (await kms.requests()).filter((r) => r.identity === 'owner');
    expect(owners.map((r) => r.source)).toEqual(owners.map(() => '127.0.0.1'));
    const operations = owners.map((r) => r.operation);
    for (const operation of ['Create', 'Get', 'Revoke', 'Destroy'])
      expect(operations, operation).toContain(operation);
    expect(operations.indexOf('Revoke')).toBeLessThan(operations.lastIndexOf('Destroy'));
    const times = owners.map((r) => r.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.abs((times[0] ?? 0) - Date.now())).toBeLessThan(120_000);
    expect((await kms.requests()).filter((r) => r.identity === 'stranger').length).toBeGreaterThan(
      0,
    );
  });

  it('stops and starts with its keys, and counts no network connection from its own loopback client', async () => {
    const kept = await kms.createKey('owner', 'kept-key');
    await kms.stop();
    expect(await kms.container.isRunning()).toBe(false);
    await kms.start();
    expect((await kms.listKeys('owner')).map((k) => k.uid)).toContain(kept.uid);
    expect(await kms.connections()).toEqual({ synCount: 0, sources: [] });
  });
});
