import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { sovereignEnvelopeChecks, world as names } from './sovereign-envelope-checks.ts';
import {
  awaitRelay,
  bootTimeoutMs,
  captureAtExchange,
  deliverToHost,
  observed,
  readFromZone,
  sendEnvelope,
  storeObject,
  tamperHeader,
  type Payload,
} from './sovereign-envelope-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));
const domesticCidrs = ['10.44.0.0/16', '10.45.0.0/16'];
/** The keyless host's site: sovereign too, outside the key service's clients. */
const keylessCidr = '10.46.0.0/16';
const mutant = (name: string) => join(here, 'mutants', `${name}.patch`);

/**
 * The manual's sovereign envelope: payloads between two sites of the sovereign zone cross a
 * shared exchange point. What a tap there sees is envelopes whose header is readable and whose
 * body is not, each with its own nonce; the bytes open in the zone and nowhere else, and not at
 * all once the header is changed.
 */
export default defineScenario({
  name: 'sovereign-envelope',
  description:
    'Payloads crossing the exchange are envelopes (header in clear, AES-256-GCM body, fresh nonces); the zone opens them, a foreign host says LOCALIZATION_MISMATCH, a changed header ENVELOPE_TAMPERED',
  needs: [],
  sections: ['envelope', 'tls13'],
  topology: {
    zones: [
      {
        name: names.keyZone,
        jurisdiction: names.keyJurisdiction,
        kind: 'sovereign',
        cidrs: [domesticCidrs[0] ?? ''],
      },
      {
        name: 'sovereign-b',
        jurisdiction: names.keyJurisdiction,
        kind: 'sovereign',
        cidrs: [domesticCidrs[1] ?? ''],
      },
      {
        name: names.keyless.zone,
        jurisdiction: names.keyJurisdiction,
        kind: 'sovereign',
        cidrs: [keylessCidr],
      },
      { name: 'exchange', jurisdiction: 'NL', kind: 'exchange', cidrs: ['10.64.0.0/16'] },
      { name: 'foreign', jurisdiction: 'US', kind: 'foreign', cidrs: ['10.84.0.0/16'] },
    ],
    cells: [
      { name: names.senderCell, zone: names.keyZone },
      { name: 'cell-b', zone: 'sovereign-b' },
    ],
    services: [
      {
        name: 'ixp',
        kind: 'router',
        zone: 'exchange',
        legs: [names.keyZone, 'sovereign-b', names.keyless.zone, 'foreign'],
      },
      {
        name: 'zone-keys',
        kind: 'sovereign-api',
        zone: names.keyZone,
        options: {
          // The keyless site is served (its site file names the key service) but is no client.
          servesZones: ['sovereign-b', names.keyless.zone],
          zoneKey: { keyId: 'sovereign-a-envelope-1', clientCidrs: domesticCidrs },
        },
      },
    ],
    hosts: [
      { name: 'sender', zone: names.keyZone, cell: names.senderCell },
      { name: 'receiver', zone: 'sovereign-b', cell: 'cell-b' },
      { name: 'outsider', zone: 'foreign' },
      { name: names.keyless.host, zone: names.keyless.zone },
    ],
  },
  async run(context) {
    const { world } = context;
    const [sender, receiver, outsider, keyless] = [
      'sender',
      'receiver',
      'outsider',
      names.keyless.host,
    ].map((name) => world.host(name));
    if (
      sender === undefined ||
      receiver === undefined ||
      outsider === undefined ||
      keyless === undefined
    )
      throw new SovhError('SCENARIO_STEP_FAILED', 'hosts missing');
    const payloadDraws = context.random.stream('payloads');
    const payloads: Payload[] = names.objectIds.map((objectId) => ({
      objectId,
      text: `sovereign record ${payloadDraws.hex(12)}`,
    }));

    const unsealable: Payload = {
      objectId: names.keyless.objectId,
      text: `sovereign record ${payloadDraws.hex(12)}`,
    };

    const [returned] = names.objectIds;
    await context.step('boot the four hosts', async () => {
      await Promise.all([
        awaitServing(world, sender, bootTimeoutMs),
        awaitServing(world, receiver, bootTimeoutMs),
        awaitServing(world, keyless, bootTimeoutMs),
        awaitRelay(context, outsider),
      ]);
      await Promise.all([awaitRelay(context, sender), awaitRelay(context, keyless)]);
    });
    await context.step(
      'store the payloads on the sender, and one on the keyless host',
      async () => {
        const stores: [HostVm, Payload][] = [
          ...payloads.map((p): [HostVm, Payload] => [sender, p]),
          [keyless, unsealable],
        ];
        for (const [host, payload] of stores) {
          const stored = await storeObject(context, host, payload);
          if (!stored.ok)
            throw new SovhError(
              'SCENARIO_STEP_FAILED',
              `${host.name} did not store ${payload.objectId}: ${stored.detail}`,
            );
        }
      },
    );
    const captured = await context.step(
      'send them to the other site, and one back, while the exchange captures',
      () =>
        captureAtExchange(
          context,
          {
            router: 'ixp',
            senderZone: names.keyZone,
            sender,
            receiver,
            payloads: [...payloads, unsealable],
            keyService: 'zone-keys',
          },
          async () => {
            for (const payload of payloads)
              await sendEnvelope(context, sender, receiver, payload.objectId);
            // The receiver holds the same zone key: its first envelope must not take a nonce the
            // sender's took (a per-process counter starts both at 1).
            await sendEnvelope(context, receiver, sender, returned);
            // A host without the zone key has nothing to seal with: nothing of it may cross.
            await sendEnvelope(context, keyless, receiver, unsealable.objectId);
          },
        ),
    );
    await context.step('read them back in the zone', async () => {
      for (const payload of payloads) await readFromZone(context, receiver, payload);
    });
    const [first] = payloads;
    const body = captured.bodies.find((b) => b.length > 0);
    if (first === undefined || body === undefined)
      throw new SovhError('SCENARIO_STEP_FAILED', 'no payload crossed the exchange to replay');
    await context.step('hand the captured bytes to a host in the foreign region', async () => {
      // The outsider's fence lets no foreign observer in: the bytes arrive over its loopback.
      const delivery = await deliverToHost(context, outsider, {
        objectId: first.objectId,
        bytes: body,
        payload: first.text,
        over: 'loopback',
      });
      context.observe(observed.foreignDelivery, delivery);
    });
    await context.step('hand the zone an envelope whose header was changed', async () => {
      const tampered = tamperHeader(body);
      if (tampered === undefined)
        throw new SovhError(
          'SCENARIO_STEP_FAILED',
          'the captured bytes hold no envelope header to change',
        );
      const delivery = await deliverToHost(context, receiver, {
        objectId: 'record-tampered',
        bytes: tampered,
        payload: first.text,
        over: 'zone',
      });
      context.observe(observed.tamperedDelivery, delivery);
    });
  },
  checks: sovereignEnvelopeChecks,
  mutants: [
    {
      name: 'payloads-in-clear',
      description: 'Payloads are sent in clear (and taken in clear by any host)',
      expectFailing: ['capture-shows-only-ciphertext', 'foreign-host-refuses'],
      stackPatch: mutant('payloads-in-clear'),
    },
    {
      name: 'clear-without-zone-key',
      description:
        'A host whose key service refused it the zone key sends its payloads as they are ("the key service was down at boot, the link is ours"): the keyless host\'s record crosses the exchange in clear',
      expectFailing: ['capture-shows-only-ciphertext'],
      stackPatch: mutant('clear-without-zone-key'),
    },
    {
      name: 'nonce-drawn-once',
      description: 'The envelope nonce is drawn once per process and reused for every envelope',
      expectFailing: ['nonces-never-repeat'],
      stackPatch: mutant('nonce-drawn-once'),
    },
    {
      name: 'nonce-counter-per-process',
      description:
        "The envelope nonce is a counter from 1 in each process (GCM's deterministic nonce without a field of the device's own): every host of the zone seals its first envelope under the shared zone key with the same nonce",
      expectFailing: ['nonces-never-repeat'],
      stackPatch: mutant('nonce-counter-per-process'),
    },
    {
      name: 'jurisdiction-from-zone-name',
      description:
        "The envelope header's jurisdiction is filled from the zone's name (a copied line), so a reader on the path learns no jurisdiction",
      expectFailing: ['capture-shows-only-ciphertext'],
      stackPatch: mutant('jurisdiction-from-zone-name'),
    },
    {
      name: 'header-outside-aad',
      description:
        'The envelope is sealed and opened without the header as additional data: a changed header still opens',
      expectFailing: ['envelope-opens-under-zone-key', 'header-bound-to-ciphertext'],
      stackPatch: mutant('header-outside-aad'),
    },
    {
      name: 'envelope-zone-from-host-zone',
      description:
        "A host takes its own zone as its envelope zone instead of its key service's, so a host of another site of the zone refuses the zone's envelopes",
      expectFailing: ['zone-host-opens'],
      stackPatch: mutant('envelope-zone-from-host-zone'),
    },
  ],
});
