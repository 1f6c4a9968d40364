import { describe, expect, it } from 'vitest';
import { parseAuditLog } from './audit-records.ts';

const sample = [
  'type=SYSCALL msg=audit(1795705897.170:86): arch=c000003e syscall=257 success=yes exit=3 items=2 ppid=30955 pid=31094 comm="rogue-writer" exe="/tmp/rogue-writer" key="residency_audit"',
  'type=CWD msg=audit(1795705897.170:86): cwd="/"',
  'type=PATH msg=audit(1795705897.170:86): item=0 name="/data/sovereign_storage/" inode=1590068 nametype=PARENT',
  'type=PATH msg=audit(1795705897.170:86): item=1 name="/data/sovereign_storage/intrusion.bin" inode=1589912 nametype=CREATE',
  'type=SYSCALL msg=audit(1795705897.194:87): arch=c000003e syscall=268 success=yes exit=0 pid=31096 comm="rogue-chmod" exe="/tmp/rogue-chmod" key="residency_audit"',
  'type=PATH msg=audit(1795705897.194:87): item=0 name="/data/sovereign_storage/intrusion.bin" inode=1590040 nametype=NORMAL',
  'auditor: a line of the daemon, not a record',
].join('\n');

describe('parseAuditLog', () => {
  it('groups the records of one syscall into an event with its process and paths', () => {
    const [write, chmod] = parseAuditLog(sample);
    expect(write).toMatchObject({
      serial: '86',
      time: 1795705897.17,
      key: 'residency_audit',
      syscall: '257',
      comm: 'rogue-writer',
      exe: '/tmp/rogue-writer',
      pid: '31094',
      paths: [
        { name: '/data/sovereign_storage/', nametype: 'PARENT' },
        { name: '/data/sovereign_storage/intrusion.bin', nametype: 'CREATE' },
      ],
    });
    expect(write?.lines).toHaveLength(4);
    expect(chmod).toMatchObject({ serial: '87', syscall: '268', comm: 'rogue-chmod' });
  });

  it('ignores lines that are not audit records', () => {
    expect(parseAuditLog('auditor: ready\n\n')).toEqual([]);
  });
});
