import { editHostRoot } from '../world/host-root-edit.ts';
import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';
import { restartHost } from './host-restart.ts';

/** Where the replaced command goes: ahead of /usr/bin on the default PATH. */
const wrapperPath = '/usr/local/bin/openssl';

/**
 * The system's `openssl version` reports the next patch release of the real one: the installed
 * OpenSSL and the library a client links drift apart, as after a partial upgrade. Every other use
 * of the command goes to the real one.
 */
const skewedCommand = `#!/bin/sh
# Written by the harness (fault openssl-version-skew): the next patch release of the real one.
if [ "$1" = version ]; then
  /usr/bin/openssl version | awk '{ n = split($2, v, "."); v[n] = v[n] + 1; $2 = v[1]; for (i = 2; i <= n; i++) $2 = $2 "." v[i]; print }'
else
  exec /usr/bin/openssl "$@"
fi
`;

/**
 * The system's `openssl` cannot run at all, as when a partial upgrade left it without the
 * library it was built against: whatever it is asked, it fails the way the loader does.
 */
const brokenCommand = `#!/bin/sh
# Written by the harness (fault openssl-broken): the command of a broken install.
echo 'openssl: error while loading shared libraries: libssl.so.3: cannot open shared object file: No such file or directory' >&2
exit 127
`;

/**
 * Puts a command first on the host's PATH in place of its openssl (written from outside the
 * stack) and reboots the host with it. Nothing of the stack changes. The heal removes the command
 * for the next boot; it does not reboot.
 */
function replaceOpensslCommand(
  hostName: string,
  fault: { name: string; description: string; command: string },
): Fault {
  return {
    name: `${fault.name}-${hostName}`,
    description: `host ${hostName}'s ${fault.description}, then rebooted`,
    async invoke(world: World) {
      const host = world.host(hostName);
      await editHostRoot(host, wrapperPath, (root) =>
        root.exec(['sh', '-ec', 'cat > "$1"; chmod 755 "$1"', 'sh', root.path(wrapperPath)], {
          stdin: fault.command,
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

/** A host's installed OpenSSL no longer matches the library its TLS client links. */
export function opensslVersionSkew(hostName: string): Fault {
  return replaceOpensslCommand(hostName, {
    name: 'openssl-version-skew',
    description: 'openssl command reports another patch release than the library',
    command: skewedCommand,
  });
}

/** A host's openssl command fails, so the installed OpenSSL's version cannot be read at all. */
export function opensslBroken(hostName: string): Fault {
  return replaceOpensslCommand(hostName, {
    name: 'openssl-broken',
    description: 'openssl command fails whatever it is asked (exit 127, a missing library)',
    command: brokenCommand,
  });
}
