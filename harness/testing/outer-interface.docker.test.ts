import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observerImage } from '../../sims/observer/observer.ts';
import type { EngineEndpoint } from '../engine/engine-locator.ts';
import { ImageBuilder } from '../engine/image-builder.ts';
import { openInChromium } from '../report/testing/headless-chromium.ts';
import { execInContainer } from '../runtime/container-exec.ts';
import { removeSessions } from '../runtime/reaper.ts';
import { addressInCidr, mustParseCidr, parseAddress } from '../util/cidr.ts';
import { silentLogger } from '../util/log.ts';
import { testEngine, testNamespace } from './docker-test-kit.ts';
import { runCli } from './run-cli.ts';

/** Scenarios whose stacks try hardest to reach the outside: foreign destinations and resolvers. */
const selection = ['egress-default-deny', 'dns-leakage'];
/** Names only Chromium's own background services look up. */
const browserServiceNames = /google|gstatic|chrome|gvt1|doubleclick/i;
/** Names the scenarios' worlds use; a lookup of one outside the machine is a leak. */
const worldNames = /\.(sovereign|global|foreign)\.example/i;
/** The positive control: the lookup an image build makes itself, through the machine's resolver. */
const controlName = 'deb.debian.org';

interface OuterCapture {
  container: Docker.Container;
  read(): Promise<string[]>;
}

/**
 * tcpdump on the machine's outer interface (the default route's), from a container in the
 * engine host's network namespace: what it sees is what left or reached the machine.
 */
async function captureOuterInterface(
  engine: EngineEndpoint,
  image: string,
  name: string,
): Promise<OuterCapture> {
  const container = await engine.docker.createContainer({
    Image: image,
    name,
    Entrypoint: ['sh', '-c'],
    Cmd: [
      'iface=$(ip route show default | awk \'{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }\'); ' +
        'exec tcpdump -i "${iface:?no default route}" -nn -U --immediate-mode -w /tmp/outer.pcap',
    ],
    HostConfig: { NetworkMode: 'host', CapAdd: ['NET_RAW', 'NET_ADMIN'] },
  });
  await container.start();
  return {
    container,
    async read() {
      // tcpdump writes each packet as it comes (-U, --immediate-mode): the file can be read while
      // it runs; a short pause lets the last packets of the run reach it.
      await sleep(2_000);
      const result = await execInContainer(engine.docker, container.id, [
        'sh',
        '-c',
        'tcpdump -nn -r /tmp/outer.pcap 2>/dev/null; true',
      ]);
      return result.stdout.split('\n').filter(Boolean);
    },
  };
}

function addressesIn(line: string): number[] {
  return [...line.matchAll(/\b(\d+\.\d+\.\d+\.\d+)(?:\.\d+)?\b/g)]
    .map((m) => parseAddress(m[1] ?? ''))
    .filter((a): a is number => a !== undefined);
}

describe('no packet leaves the machine', () => {
  let engine: EngineEndpoint;
  let work: string;
  let observer: string;
  const namespace = testNamespace('outer');

  beforeAll(async () => {
    engine = await testEngine();
    work = await mkdtemp(join(tmpdir(), 'sovh-outer-'));
    observer = (await new ImageBuilder(engine.docker, silentLogger).ensure(observerImage)).tag;
  });

  afterAll(async () => {
    await removeSessions(engine.docker, namespace, { all: true }, silentLogger);
    await rm(work, { recursive: true, force: true });
  });

  it('a scenario run and the report in a browser put nothing of theirs on the outer interface', async () => {
    const capture = await captureOuterInterface(engine, observer, `sovh-${namespace}-capture`);
    try {
      const reports = join(work, 'run');
      const run = await runCli(['run', ...selection, '--report-dir', reports], {
        SOVH_NAMESPACE: namespace,
      });
      expect(run.exitCode, run.all).toBe(0);
      const opened = await openInChromium(join(reports, 'report.html'));
      await opened.page.waitForTimeout(3_000);
      await opened.close();

      // The control lookup goes out as image builds' lookups do (after the run, so the capture is
      // surely listening): the capture must see it.
      const control = await execInContainer(engine.docker, capture.container.id, [
        'getent',
        'hosts',
        controlName,
      ]);
      const lines = await capture.read();
      expect(
        lines.some((l) => l.includes(controlName)),
        `the capture did not see the control lookup of ${controlName} (getent exit ${control.exitCode}); it proves nothing:\n${lines.slice(0, 20).join('\n')}`,
      ).toBe(true);
      const report = JSON.parse(await readFile(join(reports, 'results.json'), 'utf8')) as unknown;
      const subnets = [...JSON.stringify(report).matchAll(/"subnet":\s*"([\d./]+)"/g)].map((m) =>
        mustParseCidr(m[1] ?? ''),
      );
      expect(subnets.length, 'results.json names no subnet of the run').toBeGreaterThan(0);
      const leaks = lines.filter(
        (line) =>
          browserServiceNames.test(line) ||
          worldNames.test(line) ||
          addressesIn(line).some((a) => subnets.some((s) => addressInCidr(a, s))),
      );
      expect(leaks).toEqual([]);
    } finally {
      await capture.container.remove({ force: true });
    }
  });
});
