import { editHostRoot } from '../world/host-root-edit.ts';
import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';
import { restartHost } from './host-restart.ts';

const opensslConfig = '/etc/ssl/openssl.cnf';
const savedConfig = '/etc/ssl/openssl.cnf.before-cap';

/**
 * A system crypto policy that caps TLS below 1.3: the host's OpenSSL configuration gets
 * `MaxProtocol` in its system-wide defaults (as a distribution crypto policy or an operator would
 * set it), and the host reboots with it. No line of the stack changes; only what its OpenSSL will
 * negotiate. The heal restores the configuration, which the next boot reads.
 */
export function capSystemTls(hostName: string, maxProtocol = 'TLSv1.2'): Fault {
  return {
    name: `crypto-policy-cap-${hostName}`,
    description: `host ${hostName}'s OpenSSL system defaults capped at MaxProtocol = ${maxProtocol}, then rebooted`,
    async invoke(world: World) {
      const host = world.host(hostName);
      // The harness's own tools edit the file from outside the stack (HostRoot): a stack image
      // may have no shell or sed, and a patched one must not shape the fault.
      await editHostRoot(host, opensslConfig, (root) =>
        root.exec(
          [
            'sh',
            '-ec',
            `cp "$1" "$2"
sed -i '/^\\[openssl_init\\]/a ssl_conf = sovh_ssl_sect' "$1"
printf '\\n[sovh_ssl_sect]\\nsystem_default = sovh_system_default\\n[sovh_system_default]\\nMaxProtocol = %s\\n' "$3" >> "$1"
grep -q '^ssl_conf = sovh_ssl_sect' "$1"`,
            'sh',
            root.path(opensslConfig),
            root.path(savedConfig),
            maxProtocol,
          ],
          { timeoutMs: 10_000 },
        ),
      );
      await restartHost(host);
      // The heal restores the configuration for the next boot; it does not reboot, so that a run
      // can end while the host stays as the fault left it.
      return async () => {
        await editHostRoot(world.host(hostName), opensslConfig, (root) =>
          root.exec(['mv', root.path(savedConfig), root.path(opensslConfig)], {
            timeoutMs: 10_000,
          }),
        );
      };
    },
  };
}
