import type { StartedContainer } from '../runtime/started-container.ts';
import type { StaticRoute } from '../../sims/sim-kind.ts';

/**
 * Installs static routes in a container's network namespace with iproute2 (`ip route replace`, so
 * a second call is harmless). The container needs NET_ADMIN and the `ip` command.
 */
export async function applyStaticRoutes(
  container: StartedContainer,
  routes: readonly StaticRoute[],
): Promise<void> {
  if (routes.length === 0) return;
  const script = routes.map((r) => `ip route replace ${r.cidr} via ${r.via}`).join(' && ');
  await container.sh(script, { timeoutMs: 10_000 });
}
