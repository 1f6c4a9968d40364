import { editHostRoot } from '../world/host-root-edit.ts';
import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';
import { restartHost } from './host-restart.ts';

/** Where the skewed command goes: ahead of /usr/bin on the default PATH. */
const wrapperPath = '/usr/local/bin/openssl';

/**
 * The system's `openssl version` reports the next patch release of the real one: the installed
 * OpenSSL and the library a client links drift apart, as after a partial upgrade. Every other use
 * of the command goes to the real one.
 */
const wrapper = `#!/bin/sh
# Written by the harness (fault openssl-version-skew): the next patch release of the real one.
if [ "$1" = version ]; then
  /usr/bin/openssl version | awk '{ n = split($2, v, "."); v[n] = v[n] + 1; $2 = v[1]; for (i = 2; i <= n; i++) $2 = $2 "." v[i]; print }'
else
  exec /usr/bin/openssl "$@"
fi
`;

/**
 * A host's installed OpenSSL no longer matches the library its TLS client links: a command that
 * reports the next patch release is put first on PATH (written from outside the stack), and the
 * host reboots with it. Nothing of the stack changes. The heal removes the command for the next
 * boot; it does not reboot.
 */
export function opensslVersionSkew(hostName: string): Fault {
  return {
    name: `openssl-version-skew-${hostName}`,
    description: `host ${hostName}'s openssl command reports another patch release than the library, then rebooted`,
    async invoke(world: World) {
      const host = world.host(hostName);
      await editHostRoot(host, wrapperPath, (root) =>
        root.exec(['sh', '-ec', 'cat > "$1"; chmod 755 "$1"', 'sh', root.path(wrapperPath)], {
          stdin: wrapper,
          timeoutMs: 10_000,
        }),
      );
      await restartHost(host);
      return async () => {
        await editHostRoot(world.host(hostName), wrapperPath, (root) =>
          root.exec(['rm', '-f', root.path(wrapperPath)], { timeoutMs: 10_000 }),
        );
      };
    },
  };
}
