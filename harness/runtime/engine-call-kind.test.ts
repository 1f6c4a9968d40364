import { describe, expect, it } from 'vitest';
import { engineCallKind } from './engine-call-kind.ts';

describe('engineCallKind', () => {
  it.each([
    ['POST', '/containers/create?', 'container create'],
    ['POST', '/v1.41/containers/abc123/start?', 'container start'],
    ['POST', '/containers/abc123/stop?t=5', 'container stop'],
    ['DELETE', '/containers/abc123?force=true&v=true', 'container remove'],
    ['GET', '/containers/abc123/json?', 'container inspect'],
    ['GET', '/containers/abc123/logs?tail=200', 'container logs'],
    ['PUT', '/containers/abc123/archive?path=/', 'container put files'],
    ['GET', '/containers/abc123/archive?path=/etc', 'container read files'],
    ['GET', '/containers/json?all=true', 'container list'],
    ['POST', '/networks/create?', 'network create'],
    ['DELETE', '/networks/n1', 'network remove'],
    ['GET', '/networks/n1?', 'network inspect'],
    ['POST', '/networks/n1/disconnect', 'network disconnect'],
    ['GET', '/networks?filters=x', 'network list'],
    ['POST', '/volumes/create?', 'volume create'],
    ['DELETE', '/volumes/sovh-1-disk', 'volume remove'],
    ['GET', '/volumes/sovh-1-disk', 'volume inspect'],
    ['GET', '/images/sovh/host:0123abcd/json', 'image inspect'],
    ['GET', '/_ping', 'engine info'],
    ['GET', '/something/else', 'other'],
  ])('%s %s is a %s', (method, path, kind) => {
    expect(engineCallKind(method, path)).toBe(kind);
  });

  it('leaves the pieces of a docker exec and of a build to the timing of the whole', () => {
    expect(engineCallKind('POST', '/containers/abc123/exec')).toBeUndefined();
    expect(engineCallKind('POST', '/exec/e1/start')).toBeUndefined();
    expect(engineCallKind('GET', '/v1.41/exec/e1/json')).toBeUndefined();
    expect(engineCallKind('POST', '/build?t=x')).toBeUndefined();
  });
});
