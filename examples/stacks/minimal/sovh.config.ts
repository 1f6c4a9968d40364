import { defineConfig } from 'sovh';

/**
 * The minimal stack gated as a stack repository would gate itself: the scenarios of the sections
 * it implements, and one broken variant of it that the egress scenario must catch.
 */
export default defineConfig({
  stack: '.',
  scenarios: ['boot-binding', 'egress-default-deny', 'dns-leakage', 'config-immutability'],
  strict: true,
  mutants: [
    {
      name: 'https-to-anywhere',
      description: 'The fence lets TCP/443 out to any address, not only to the sovereign APIs',
      scenario: 'egress-default-deny',
      expectFailing: ['foreign-endpoints-receive-nothing', 'drops-logged-geographic-fence-error'],
      patch: 'mutants/https-to-anywhere.patch',
    },
  ],
});
