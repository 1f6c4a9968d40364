import { describe, expect, it } from 'vitest';
import { demuxLogBuffer } from './started-container.ts';

function frame(stream: number, text: string): Buffer {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe('demuxLogBuffer', () => {
  it('joins stdout and stderr frames and passes unframed text through', () => {
    expect(demuxLogBuffer(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]))).toBe(
      'out\nerr\n',
    );
    expect(demuxLogBuffer(Buffer.from('plain text from a TTY'))).toBe('plain text from a TTY');
  });
});
