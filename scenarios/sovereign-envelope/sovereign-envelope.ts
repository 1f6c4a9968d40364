import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';
import { sovereignEnvelopeChecks, world as names } from './sovereign-envelope-checks.ts';
import {
  awaitRelay,
  bootTimeoutMs,
  captureAtExchange,
  deliverToHost,
  readFromZone,
  sendEnvelope,
  storeObject,
  tamperHeader,
} from './sovereign-envelope-evidence.ts';

const here = dirname(fileURLToPath(import.meta.url));
const domesticCidrs = ['10.44.0.0/16', '10.45.0.0/16'];

/**
 * The manual's sovereign envelope: a payload between two sites of the sovereign zone crosses a
 * shared exchange point. What a tap there sees is an envelope whose header is readable and whose
 * body is not; the bytes open in the zone and nowhere else.
 */
export default defineScenario({
  name: 'sovereign-envelope',
  description:
    'A payload crossing the exchange is an envelope (header in clear, AES-256-GCM body); the zone opens it, a foreign host says LOCALIZATION_MISMATCH',
  needs: [],
  topology: {
    zones: [
      {
        name: names.keyZone,
        jurisdiction: 'DE',
        kind: 'sovereign',
        cidrs: [domesticCidrs[0] ?? ''],
      },
      {
        name: 'sovereign-b',
        jurisdiction: 'DE',
        kind: 'sovereign',
        cidrs: [domesticCidrs[1] ?? ''],
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
        legs: [names.keyZone, 'sovereign-b', 'foreign'],
      },
      {
        name: 'zone-keys',
        kind: 'sovereign-api',
        zone: names.keyZone,
        options: {
          servesZones: ['sovereign-b'],
          zoneKey: { keyId: 'sovereign-a-envelope-1', clientCidrs: domesticCidrs },
        },
      },
    ],
    hosts: [
      { name: 'sender', zone: names.keyZone, cell: names.senderCell },
      { name: 'receiver', zone: 'sovereign-b', cell: 'cell-b' },
      { name: 'outsider', zone: 'foreign' },
    ],
  },
  async run(context) {
    const { world } = context;
    const [sender, receiver, outsider] = ['sender', 'receiver', 'outsider'].map((name) =>
      world.host(name),
    );
    if (sender === undefined || receiver === undefined || outsider === undefined)
      throw new SovhError('SCENARIO_STEP_FAILED', 'hosts missing');
    const payload = `sovereign record ${randomBytes(12).toString('hex')}`;
    const objectId = 'record-1';

    await context.step('boot the three hosts', async () => {
      await Promise.all([
        awaitServing(world, sender, bootTimeoutMs),
        awaitServing(world, receiver, bootTimeoutMs),
        awaitRelay(outsider),
      ]);
      await awaitRelay(sender);
    });
    await context.step('store the payload on the sender', async () => {
      const stored = await storeObject(context, sender, objectId, payload);
      if (!stored.ok)
        throw new SovhError(
          'SCENARIO_STEP_FAILED',
          `the sender did not store the payload: ${stored.detail}`,
        );
    });
    const captured = await context.step(
      'send it to the other site while the exchange captures',
      () =>
        captureAtExchange(
          context,
          { router: 'ixp', zone: 'sovereign-b', receiver, payload, keyService: 'zone-keys' },
          () => sendEnvelope(context, sender, receiver, objectId),
        ),
    );
    await context.step('read it back in the zone', () =>
      readFromZone(context, receiver, objectId, payload, 'receiver-readback'),
    );
    const body = captured.bodies.find((b) => b.length > 0);
    if (body === undefined)
      throw new SovhError('SCENARIO_STEP_FAILED', 'no payload crossed the exchange to replay');
    await context.step('hand the captured bytes to a host in the foreign region', () =>
      deliverToHost(context, outsider, objectId, body, payload, 'foreign-delivery'),
    );
    await context.step('hand the zone an envelope whose header was changed', async () => {
      const tampered = tamperHeader(body);
      if (tampered === undefined)
        throw new SovhError(
          'SCENARIO_STEP_FAILED',
          'the captured bytes hold no envelope header to change',
        );
      await deliverToHost(
        context,
        receiver,
        'record-tampered',
        tampered,
        payload,
        'tampered-delivery',
      );
    });
  },
  checks: sovereignEnvelopeChecks,
  mutants: [
    {
      name: 'payloads-in-clear',
      description: 'Payloads are sent in clear (and taken in clear by any host)',
      expectFailing: ['capture-shows-only-ciphertext', 'foreign-host-refuses'],
      stackPatch: join(here, 'mutants', 'payloads-in-clear.patch'),
    },
  ],
});
