import type { HostVm } from '../world/host-vm.ts';
import type { World } from '../world/world.ts';
import type { Fault } from './fault.ts';

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
      const container = world.host(hostName).container;
      await container.sh(
        `cp ${opensslConfig} ${savedConfig} && ` +
          `sed -i '/^\\[openssl_init\\]/a ssl_conf = sovh_ssl_sect' ${opensslConfig} && ` +
          `printf '\\n[sovh_ssl_sect]\\nsystem_default = sovh_system_default\\n[sovh_system_default]\\nMaxProtocol = ${maxProtocol}\\n' >> ${opensslConfig} && ` +
          `grep -q '^ssl_conf = sovh_ssl_sect' ${opensslConfig}`,
      );
      await reboot(world.host(hostName));
      // The heal restores the configuration for the next boot; it does not reboot, so that a run
      // can end while the host stays as the fault left it.
      return async () => {
        await container.sh(`mv ${savedConfig} ${opensslConfig}`);
      };
    },
  };
}

/**
 * Restarts the same container, so the changed configuration survives as it would on a VM's disk.
 * Files the stack made immutable are unlocked first, from outside it (HostVm.unlockLockedFiles);
 * the stack locks them again when it boots.
 */
async function reboot(host: HostVm): Promise<void> {
  const { container } = host;
  await host.unlockLockedFiles(container);
  await container.stop(10);
  await container.start();
}
