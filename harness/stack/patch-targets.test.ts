import { describe, expect, it } from 'vitest';
import { patchTargets } from './patch-targets.ts';
import { patchedStackDockerfile } from './stack-patch.ts';

const changeAndCreate = `diff -ru a/etc/stack/fence.conf b/etc/stack/fence.conf
--- a/etc/stack/fence.conf\t2026-12-01 10:00:00.000000000 +0000
+++ b/etc/stack/fence.conf\t2026-12-01 10:01:00.000000000 +0000
@@ -1 +1 @@
-policy drop
+policy accept
--- /dev/null
+++ b/usr/lib/stack/extra.sh
@@ -0,0 +1 @@
+echo extra
`;

describe('patch targets', () => {
  it('are the files a unified diff changes and creates, as paths from /', () => {
    expect(patchTargets(changeAndCreate, 'test')).toEqual({
      changed: ['/etc/stack/fence.conf'],
      created: ['/usr/lib/stack/extra.sh'],
    });
  });

  it('refuse a patch that deletes a file, naming the alternative', () => {
    const deletes = '--- a/etc/stack/fence.conf\n+++ /dev/null\n@@ -1 +0,0 @@\n-policy drop\n';
    expect(() => patchTargets(deletes, 'mutant x')).toThrow(
      /mutant x: the patch deletes a\/etc\/stack\/fence.conf; .*as an image or a Dockerfile directory/,
    );
  });

  it('refuse text that is no diff, and paths that climb out of /', () => {
    expect(() => patchTargets('just words\n', 'm')).toThrow(/no file headers/);
    expect(() => patchTargets('--- a/../etc/x\n+++ b/../etc/x\n', 'm')).toThrow(
      /not a path from \//,
    );
  });

  it('become a Dockerfile that copies only the changed files out of the stack image', () => {
    const dockerfile = patchedStackDockerfile(patchTargets(changeAndCreate, 'test'));
    expect(dockerfile).toContain(
      'COPY --from=stack /etc/stack/fence.conf /patched/etc/stack/fence.conf',
    );
    expect(dockerfile).not.toContain('COPY --from=stack /usr/lib/stack/extra.sh');
    expect(dockerfile).toMatch(/FROM \$\{PARENT_IMAGE\}\nCOPY --from=patcher \/patched\/ \/\n$/);
  });
});
