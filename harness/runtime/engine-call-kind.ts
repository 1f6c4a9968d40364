/**
 * What one request to the engine's API is, by its method and path: "container start", "network
 * remove", ... Requests that are part of an operation timed whole elsewhere (a docker exec, from
 * its create to its exit code; an image build, to its last line) give `undefined`: timing their
 * pieces too would count the same wait twice.
 */
export function engineCallKind(method: string, path: string): string | undefined {
  // The modem may prefix an API version (/v1.41/...); the query does not change the kind.
  const bare = path.replace(/^\/v\d+(\.\d+)?(?=\/)/, '').replace(/\?.*$/, '');
  const verb = method.toUpperCase();
  if (/^\/exec\//.test(bare) || /^\/containers\/[^/]+\/exec$/.test(bare)) return undefined;
  if (bare === '/build') return undefined;
  if (bare === '/containers/create') return 'container create';
  if (bare === '/containers/json') return 'container list';
  const container = /^\/containers\/[^/]+(?:\/([a-z]+))?$/.exec(bare);
  if (container !== null) {
    const action = container[1];
    if (action === undefined) return verb === 'DELETE' ? 'container remove' : 'container other';
    if (action === 'json') return 'container inspect';
    if (action === 'archive')
      return verb === 'PUT' ? 'container put files' : 'container read files';
    return `container ${action}`;
  }
  if (bare === '/networks/create') return 'network create';
  if (bare === '/networks') return 'network list';
  const network = /^\/networks\/[^/]+(?:\/([a-z]+))?$/.exec(bare);
  if (network !== null) {
    const action = network[1];
    if (action === undefined) return verb === 'DELETE' ? 'network remove' : 'network inspect';
    return `network ${action}`;
  }
  if (bare === '/volumes/create') return 'volume create';
  if (bare === '/volumes') return 'volume list';
  if (/^\/volumes\/[^/]+$/.test(bare))
    return verb === 'DELETE' ? 'volume remove' : 'volume inspect';
  if (bare === '/images/json') return 'image list';
  if (bare === '/images/load' || bare === '/images/create') return 'image load';
  if (/^\/images\/.+\/json$/.test(bare)) return 'image inspect';
  if (bare === '/_ping' || bare === '/version' || bare === '/info') return 'engine info';
  return 'other';
}
