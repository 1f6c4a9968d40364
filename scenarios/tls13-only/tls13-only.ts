import { dirname, join } from 'node:path';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { fileURLToPath } from 'node:url';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import { endpoints, phases, tls13OnlyChecks } from './tls13-only-checks.ts';
import {
  bootTimeoutMs,
  observeCappedBoot,
  observeControl,
  observeEndpointHandshakes,
  observePolicyRefusals,
  observeStackCall,
  observed,
  runtimeMismatchLines,
  trustInSystemStore,
  type ControlRequest,
} from './tls13-only-evidence.ts';
import { asSovereignApi } from '../../sims/sovereign-api/sovereign-api.ts';
import { SovhError } from '../../harness/util/sovh-error.ts';

const here = dirname(fileURLToPath(import.meta.url));
const zone = 'sovereign';
const mutant = (name: string) => join(here, 'mutants', `${name}.patch`);

/** Steps named in the schedule and in its comments. */
const steps = {
  policy: "call each endpoint with the stack's client",
  capped: 'observe the boot under the capped crypto policy',
} as const;

/** What the harness sends each endpoint itself: requests its log must show (positive controls). */
const controls: Record<string, readonly ControlRequest[]> = {
  [endpoints.legacy]: [{ offered: 'TLSv1.2' }, { offered: 'TLSv1.3' }],
  [endpoints.modern]: [{ offered: 'TLSv1.3' }],
  [endpoints.untrusted]: [{ offered: 'TLSv1.3', insecure: true }],
  [endpoints.wrongName]: [{ offered: 'TLSv1.3', insecure: true }],
  // Every second connection is reset: of two requests, one gets through.
  [endpoints.flaky]: [{ offered: 'TLSv1.2' }, { offered: 'TLSv1.2' }],
};

/**
 * The manual's "TLS 1.3 only toward sovereign APIs", and what makes a TLS session worth having:
 * of five sovereign endpoints the stack's client reaches only the one that offers TLS 1.3 under a
 * certificate the site file vouches for, for its own name. It makes no session with one offering
 * only TLS 1.2 (also when a flaky path makes it retry), none with a certificate whose authority
 * the site file names for another entry only, none with a certificate for another name, as the
 * endpoints themselves saw it; and a host whose OpenSSL cannot do TLS 1.3, is not the one its
 * client links, or cannot even tell its version says so and fails closed.
 */
export default defineScenario({
  name: 'tls13-only',
  description:
    "The stack's client connects only over TLS 1.3 to a verified endpoint: TLS 1.2 (also on a retry), an untrusted and a wrong-name certificate are refused; a runtime without TLS 1.3, skewed or unreadable, fails closed",
  needs: [],
  sections: ['tls13'],
  topology: {
    zones: [{ name: zone, jurisdiction: 'DE', kind: 'sovereign', cidrs: ['10.41.0.0/16'] }],
    services: [
      { name: endpoints.legacy, options: { tlsVersions: ['TLSv1.2'] } },
      { name: endpoints.modern, options: { tlsVersions: ['TLSv1.3'] } },
      // Signed by an authority the site file names, but for the endpoint's standby entry only.
      { name: endpoints.untrusted, options: { certificate: 'another-entry' } },
      { name: endpoints.wrongName, options: { certificate: 'wrong-name' } },
      { name: endpoints.flaky, options: { tlsVersions: ['TLSv1.2'], flakyConnects: true } },
    ].map((service) => ({ ...service, kind: 'sovereign-api', zone })),
    hosts: [{ name: 'vm1', zone }],
  },
  async run(context) {
    const { world } = context;
    const vm = world.host('vm1');
    await context.step('boot and serve', () => awaitServing(world, vm, bootTimeoutMs));
    await context.step('the harness calls each endpoint itself (positive controls)', async () => {
      for (const [endpoint, requests] of Object.entries(controls))
        await observeControl(context, zone, endpoint, requests);
    });
    await context.step(steps.policy, async () => {
      // The untrusted endpoint's authority sits in the system's trust store meanwhile, as an
      // operator's enterprise CA would: only the site file's authority for an entry counts.
      const untrusted = asSovereignApi(world.sim(endpoints.untrusted)).standbyCaCertificate;
      if (untrusted === undefined)
        throw new SovhError(
          'SCENARIO_STEP_FAILED',
          `${endpoints.untrusted} has no standby authority to put in the system's trust store`,
        );
      const restoreTrustStore = await trustInSystemStore(vm, untrusted);
      try {
        for (const endpoint of Object.values(endpoints))
          await observeStackCall(context, vm, endpoint, phases.policy);
        // A second call through the flaky path: one of the two meets a reset first, whatever the
        // parity the harness's own requests left the endpoint's counter at.
        await observeStackCall(context, vm, endpoints.flaky, phases.policy);
      } finally {
        await restoreTrustStore();
      }
      for (const endpoint of Object.values(endpoints))
        await observeEndpointHandshakes(context, vm, endpoint, phases.policy);
      await observePolicyRefusals(context, vm, phases.policy);
    });

    const uncap = await injectFault(context, 'crypto-policy-cap', { host: 'vm1' });
    await context.step(steps.capped, async () => {
      await observeCappedBoot(context, vm);
      await observeStackCall(context, vm, endpoints.modern, phases.capped);
      await observeEndpointHandshakes(context, vm, endpoints.modern, phases.capped);
    });
    // The configuration is restored for the next boot, which the skew's reboot is: that boot
    // must refuse for the skew alone.
    await uncap();
    const earlier = (await runtimeMismatchLines(context, vm)).length;
    const unskew = await injectFault(context, 'openssl-version-skew', { host: 'vm1' });
    await context.step(
      'observe the boot with an installed openssl of another version',
      async () => {
        await observeCappedBoot(context, vm, observed.skewedBoot, earlier);
        await observeStackCall(context, vm, endpoints.modern, phases.skewed);
        await observeEndpointHandshakes(context, vm, endpoints.modern, phases.skewed);
      },
    );
    // A version that cannot be read is no match either: a check written as "refuse when the
    // versions differ" lets a broken openssl through, as it has nothing to compare.
    await unskew();
    const beforeBroken = (await runtimeMismatchLines(context, vm)).length;
    await injectFault(context, 'openssl-broken', { host: 'vm1' });
    await context.step('observe the boot with an openssl command that fails', async () => {
      await observeCappedBoot(context, vm, observed.brokenBoot, beforeBroken);
      await observeStackCall(context, vm, endpoints.modern, phases.broken);
      await observeEndpointHandshakes(context, vm, endpoints.modern, phases.broken);
    });
  },
  checks: tls13OnlyChecks,
  mutants: [
    {
      name: 'system-roots-trusted',
      description:
        'The stack\'s client also loads the system\'s trust store ("public endpoints need the system roots too"): an authority an operator installs there vouches for every sovereign entry',
      expectFailing: ['refuses-untrusted-certificate'],
      stackPatch: mutant('system-roots-trusted'),
    },
    {
      name: 'tls-minimum-1-2',
      description: "The stack's client accepts TLS 1.2 toward sovereign APIs",
      expectFailing: ['refuses-tls12-endpoint', 'no-downgrade-on-retry'],
      stackPatch: mutant('tls-minimum-1-2'),
    },
    {
      name: 'certificate-verification-off',
      description:
        "The stack's client loads the site's authority but does not verify the endpoint's certificate",
      expectFailing: ['refuses-untrusted-certificate', 'refuses-wrong-name-certificate'],
      stackPatch: mutant('certificate-verification-off'),
    },
    {
      name: 'site-trust-bundle',
      description:
        "The stack's client trusts every authority of the site file's sovereign APIs for each of them: one trust bundle for the site",
      expectFailing: ['refuses-untrusted-certificate'],
      stackPatch: mutant('site-trust-bundle'),
    },
    {
      name: 'hostname-check-off',
      description:
        "The stack's client verifies the certificate's chain but not that it names the endpoint",
      expectFailing: ['refuses-wrong-name-certificate'],
      stackPatch: mutant('hostname-check-off'),
    },
    {
      name: 'tls12-fallback-on-retry',
      description:
        "After a reset connection the stack's client retries with TLS 1.2 allowed, for compatibility",
      expectFailing: ['no-downgrade-on-retry'],
      stackPatch: mutant('tls12-fallback-on-retry'),
    },
    {
      name: 'version-alert-as-connect-failure',
      description:
        "The stack's client names only certificate failures policy refusals: a TLS 1.2 endpoint's version alert is retried as a broken connection and ends as a connect failure, with no policy refusal logged",
      expectFailing: ['refuses-tls12-endpoint', 'no-downgrade-on-retry'],
      stackPatch: mutant('version-alert-as-connect-failure'),
    },
    {
      name: 'success-bound-off-by-one',
      description:
        "The stack's client counts only 201-299 as success, so a 200 over TLS 1.3 reads as a failed call",
      expectFailing: ['connects-tls13-endpoint'],
      stackPatch: mutant('success-bound-off-by-one'),
    },
    {
      name: 'runtime-check-skips-self-test',
      description:
        'The runtime check trusts the version numbers and skips the in-memory TLS 1.3 handshake, so a crypto policy cap goes unseen',
      expectFailing: ['tls-runtime-mismatch-fails-closed'],
      stackPatch: mutant('runtime-check-skips-self-test'),
    },
    {
      name: 'openssl-minor-version-only',
      description:
        'The runtime check compares only the major and minor versions of the installed OpenSSL and the linked library ("patch releases are ABI-compatible"): a host whose openssl is another patch release than its client\'s library serves',
      expectFailing: ['tls-runtime-skew-fails-closed'],
      stackPatch: mutant('openssl-minor-version-only'),
    },
    {
      name: 'unreadable-openssl-accepted',
      description:
        'The runtime check compares the versions only when the installed openssl reports one ("nothing to compare against"): a host whose openssl command fails serves',
      expectFailing: ['tls-runtime-unreadable-fails-closed'],
      stackPatch: mutant('unreadable-openssl-accepted'),
    },
  ],
});
