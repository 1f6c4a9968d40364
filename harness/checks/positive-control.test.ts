import { describe, expect, it } from 'vitest';
import { withPositiveControl } from './positive-control.ts';
import { pass } from './verdict.ts';

describe('a verdict behind a positive control', () => {
  it('is the verdict when the control was seen', () => {
    expect(withPositiveControl({ seen: true, what: 'x' }, () => pass('quiet'))).toEqual(
      pass('quiet'),
    );
  });

  it('is unknown, naming the control, when the control was not seen', () => {
    const verdict = withPositiveControl({ seen: false, what: "the harness's own request" }, () =>
      pass('quiet'),
    );
    expect(verdict.status).toBe('unknown');
    expect(verdict.summary).toMatch(/the harness's own request was not seen/);
  });
});
