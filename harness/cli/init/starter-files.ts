import { contractSectionsLabel } from '../../contract/contract-sections.ts';

/** The starter config `sovh init` writes: the minimal path, each field explained where it stands. */
export function starterConfig(options: { hasDockerfile: boolean }): string {
  const stack = options.hasDockerfile
    ? `  // The stack under test: this directory's Dockerfile (built by sovh, cached by content). Or an
  // image already in the engine ('name:tag'), or an archive made by \`docker save\` ({ archive: 'x.tar' }).
  stack: '.',`
    : `  // The stack under test: a directory with a Dockerfile ('./stack'), an image already in the engine
  // ('name:tag'), or an archive made by \`docker save\` ({ archive: 'x.tar' }). No Dockerfile was
  // found here, so this starts with the reference stack: point it at yours.
  stack: 'reference',`;
  return `import { defineConfig } from 'sovh';

export default defineConfig({
${stack}
  // The contract sections the stack implements (or LABEL ${contractSectionsLabel}="..." in its
  // Dockerfile). A scenario that needs another one is "not applicable" (a failure with strict).
  sections: ['boot-binding', 'store', 'egress', 'dns', 'immutability'],
  // Built-in scenarios by name (\`npx sovh list\`), and your own scenario files by glob.
  scenarios: ['boot-binding', 'egress-default-deny', 'dns-leakage', 'config-immutability'],
  // Fail the run on "not applicable" checks too.
  strict: false,
  // Each run writes <reportDir>/<run-id>/: results.json, junit.xml, report.html, the evidence bundle.
  reportDir: 'reports',
  // Broken variants of your stack, each with the checks it must fail: a patch against your image
  // (paths from /, patch -p1), or another image ({ dockerfile: './mutants/open-fence' }).
  mutants: [
    // { name: 'fence-open', scenario: 'egress-default-deny', expectFailing: ['...'], patch: 'mutants/fence-open.patch' },
  ],
});
`;
}

/** A GitHub Actions workflow that gates every change of the stack on sovh. */
export const starterWorkflow = `# Gates every change of this residency stack on sovh (https://www.npmjs.com/package/sovh).
# The runner needs a Docker engine and root for the first image build (debootstrap); the images
# are cached by content, so later runs rebuild only what changed.
name: sovh
on:
  push:
  pull_request:
jobs:
  residency:
    runs-on: ubuntu-22.04
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      # Every scenario of sovh.config.ts against the stack, and every mutant of it: the job fails on
      # a failed or undecided check, and on a mutant that is not caught.
      - run: sudo -E env "PATH=$PATH" npx sovh run --with-mutants
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: sovh-reports
          path: reports/
`;
