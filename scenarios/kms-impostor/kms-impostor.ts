import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kmsOf } from '../../harness/checks/probes/custody-evidence.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { impostorChecks } from './kms-impostor-checks.ts';
import { observeImpostorKms } from './kms-impostor-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));
const names = { host: 'vm1', kms: 'kms-impostor', hsm: 'hsm-a' } as const;

/**
 * The KMS at the address the site file names is an impostor: a machine in the domestic range
 * (a swapped appliance, a hijacked address) whose certificate an authority of its own signed,
 * under the same name as the site's. Only the certificate's signature tells it apart, so only a
 * client that verifies the server refuses it; one that does not hands it the data key's creation
 * and every later question. The harness reads what the impostor itself processed.
 */
export default defineScenario({
  name: 'kms-impostor',
  description:
    "A KMS at the site's address whose certificate another authority signed gets no KMIP request from the host, whose store stays closed",
  needs: [],
  sections: ['kms', 'hsm'],
  topology: {
    zones: [{ name: 'sovereign', jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.42.0.0/16'] }],
    cells: [{ name: 'cell-a', zone: 'sovereign' }],
    services: [
      {
        name: names.kms,
        kind: 'kms',
        zone: 'sovereign',
        cell: 'cell-a',
        options: { serverSigner: 'another-authority' },
      },
      // The site needs its HSM too: a KMS without one is a configuration the stack refuses
      // before it ever asks a KMS.
      { name: names.hsm, kind: 'hsm', zone: 'sovereign', cell: 'cell-a' },
    ],
    hosts: [{ name: names.host, zone: 'sovereign', cell: 'cell-a' }],
  },
  async run(context) {
    const { world } = context;
    await context.step(
      'the host boots against a KMS whose certificate another authority signed',
      () => observeImpostorKms(context, world.host(names.host), kmsOf(world, names.kms)),
    );
  },
  checks: impostorChecks,
  mutants: [
    {
      name: 'kms-certificate-unverified',
      description:
        'The KMIP client does not verify the KMS\'s certificate ("it is renewed by hand and lapses; the client certificate authenticates us anyway"): mutual TLS still runs, and an impostor at the right address gets every request',
      expectFailing: ['untrusted-kms-gets-no-request'],
      stackPatch: join(here, 'mutants', 'kms-certificate-unverified.patch'),
    },
  ],
});
