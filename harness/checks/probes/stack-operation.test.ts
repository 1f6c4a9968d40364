import { describe, expect, it } from 'vitest';
import { stackOperations } from '../../contract/stack-operations.ts';
import { readOperationAnswer } from './stack-operation.ts';

describe('reading a stack operation answer', () => {
  const call = stackOperations.callSovereignApi;

  it('takes the last line of the output as the JSON answer', () => {
    const answer = readOperationAnswer(call, 'warming up\n{"ok":true,"protocol":"TLSv1.3"}\n');
    expect(answer).toEqual({ result: { ok: true, protocol: 'TLSv1.3' } });
  });

  it('names an answer that is not JSON', () => {
    expect(readOperationAnswer(call, 'Traceback (most recent call last)').problem).toMatch(
      /printed no JSON/,
    );
  });

  it('names an answer that breaks the schema, field by field', () => {
    expect(readOperationAnswer(call, '{"ok":"yes"}').problem).toMatch(/ok: /);
    expect(readOperationAnswer(stackOperations.sendEnvelope, '{"status":201}').problem).toMatch(
      /ok: /,
    );
  });
});
