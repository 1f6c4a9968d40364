import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kmsOf } from '../../harness/checks/probes/custody-evidence.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { hsmOnlySiteRefused, observeHsmOnlyBoot } from './hsm-only-site.ts';
import { impostorChecks } from './kms-impostor-checks.ts';
import { observeImpostorKms } from './kms-impostor-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));
const names = {
  /** Named to the KMS whose certificate another authority signed. */
  host: 'vm1',
  kms: 'kms-impostor',
  /** Named to the KMS whose certificate the site's authority signed for another KMS. */
  misnamedHost: 'vm2',
  misnamedKms: 'kms-misnamed',
  /** Named to the KMS whose certificate has no subjectAltName, only its address as common name. */
  sanLessHost: 'vm3',
  sanLessKms: 'kms-san-less',
  /** In the cell, named to no KMS: its site file has the cell's HSM and no KMS. */
  hsmOnlyHost: 'vm4',
  hsm: 'hsm-a',
} as const;

/**
 * The KMS at the address the site file names is an impostor: a machine in the domestic range (a
 * swapped appliance, a hijacked address). One presents a certificate an authority of its own
 * signed, under the same name as the site's; another one the site's authority signed for
 * another KMS of the site; the third one the site's authority signed with no subjectAltName at
 * all, the address only in its common name, which the contract does not count. Only the
 * certificate's signer, or the names in it, tell them from the real one, so only a client that
 * checks both refuses them; one that does not hands them the data key's creation and every later
 * question. The harness reads what each impostor processed.
 */
export default defineScenario({
  name: 'kms-impostor',
  description:
    "A KMS at the site's address whose certificate another authority signed, or the site's authority signed for another KMS or with the address only as its common name, gets no KMIP request from the host, whose store stays closed",
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
        options: { clients: [names.host], serverCertificate: 'another-authority' },
      },
      {
        name: names.misnamedKms,
        kind: 'kms',
        zone: 'sovereign',
        cell: 'cell-a',
        options: { clients: [names.misnamedHost], serverCertificate: 'another-name' },
      },
      {
        name: names.sanLessKms,
        kind: 'kms',
        zone: 'sovereign',
        cell: 'cell-a',
        options: { clients: [names.sanLessHost], serverCertificate: 'common-name-only' },
      },
      // The site needs its HSM too: a KMS without one is a configuration the stack refuses
      // before it ever asks a KMS.
      { name: names.hsm, kind: 'hsm', zone: 'sovereign', cell: 'cell-a' },
    ],
    hosts: [
      { name: names.host, zone: 'sovereign', cell: 'cell-a' },
      { name: names.misnamedHost, zone: 'sovereign', cell: 'cell-a' },
      { name: names.sanLessHost, zone: 'sovereign', cell: 'cell-a' },
      { name: names.hsmOnlyHost, zone: 'sovereign', cell: 'cell-a' },
    ],
  },
  async run(context) {
    const { world } = context;
    await context.step('the hosts boot against KMSes whose certificates they must refuse', () =>
      Promise.all([
        observeImpostorKms(
          context,
          world.host(names.host),
          kmsOf(world, names.kms),
          'another-authority',
        ),
        observeImpostorKms(
          context,
          world.host(names.misnamedHost),
          kmsOf(world, names.misnamedKms),
          'another-name',
        ),
        observeImpostorKms(
          context,
          world.host(names.sanLessHost),
          kmsOf(world, names.sanLessKms),
          'common-name-only',
        ),
        observeHsmOnlyBoot(context, world.host(names.hsmOnlyHost)),
      ]),
    );
  },
  checks: [...impostorChecks, hsmOnlySiteRefused],
  mutants: [
    {
      name: 'hsm-without-kms-runs-local',
      description:
        'Key custody is chosen by the KMS section alone ("no KMS: boot binding\'s local key"): a site with an HSM and no KMS, its KMS section lost, serves from a local data key the HSM never protects, where the contract refuses it',
      expectFailing: ['hsm-only-site-refused'],
      stackPatch: join(here, 'mutants', 'hsm-without-kms-runs-local.patch'),
    },
    {
      name: 'kms-certificate-unverified',
      description:
        'The KMIP client does not verify the KMS\'s certificate ("it is renewed by hand and lapses; the client certificate authenticates us anyway"): mutual TLS still runs, and an impostor at the right address gets every request',
      expectFailing: [
        'untrusted-kms-gets-no-request',
        'misnamed-kms-gets-no-request',
        'san-less-kms-gets-no-request',
      ],
      stackPatch: join(here, 'mutants', 'kms-certificate-unverified.patch'),
    },
    {
      name: 'kms-name-unchecked',
      description:
        "The KMIP client verifies who signed the KMS's certificate but not whom it names (PyKMIP's own behaviour): a certificate the site's authority issued to another KMS, or with no subjectAltName, passes for this one",
      expectFailing: ['misnamed-kms-gets-no-request', 'san-less-kms-gets-no-request'],
      stackPatch: join(here, 'mutants', 'kms-name-unchecked.patch'),
    },
    {
      name: 'common-name-fallback',
      description:
        'The KMIP client looks for the address in the common name of a KMS certificate that has no subjectAltName ("old certificates have none; RFC 2818 fell back to the common name"): a certificate the site\'s authority signed with the address only as its common name passes',
      expectFailing: ['san-less-kms-gets-no-request'],
      stackPatch: join(here, 'mutants', 'common-name-fallback.patch'),
    },
  ],
});
