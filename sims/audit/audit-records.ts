/** One kernel audit event (the records of one syscall), as the harness reads it from a log. */
export interface AuditEvent {
  serial: string;
  /** Seconds since the epoch, with milliseconds, from the record's timestamp. */
  time: number;
  key: string | undefined;
  syscall: string | undefined;
  success: string | undefined;
  comm: string | undefined;
  exe: string | undefined;
  pid: string | undefined;
  /** The PATH records' names with their nametype (PARENT, CREATE, NORMAL, DELETE). */
  paths: { name: string; nametype: string | undefined }[];
  /** The raw lines, as evidence. */
  lines: string[];
}

const recordPattern = /^type=(\S+) msg=audit\((\d+\.\d+):(\d+)\): ?(.*)$/;

function field(body: string, name: string): string | undefined {
  const match = new RegExp(`(?:^| )${name}=("[^"]*"|\\S+)`).exec(body);
  return match?.[1]?.replace(/^"|"$/g, '');
}

/** Parses auditd's raw log format into events, one per serial number, in order of appearance. */
export function parseAuditLog(text: string): AuditEvent[] {
  const events = new Map<string, AuditEvent>();
  for (const line of text.split('\n')) {
    const match = recordPattern.exec(line.trim());
    if (match === null) continue;
    const [, type, time, serial, body = ''] = match;
    if (type === undefined || time === undefined || serial === undefined) continue;
    let event = events.get(serial);
    if (event === undefined) {
      event = {
        serial,
        time: Number(time),
        key: undefined,
        syscall: undefined,
        success: undefined,
        comm: undefined,
        exe: undefined,
        pid: undefined,
        paths: [],
        lines: [],
      };
      events.set(serial, event);
    }
    event.lines.push(line.trim());
    if (type === 'SYSCALL') {
      event.key = field(body, 'key');
      event.syscall = field(body, 'syscall');
      event.success = field(body, 'success');
      event.comm = field(body, 'comm');
      event.exe = field(body, 'exe');
      event.pid = field(body, 'pid');
    } else if (type === 'PATH') {
      event.paths.push({ name: field(body, 'name') ?? '', nametype: field(body, 'nametype') });
    }
  }
  return [...events.values()];
}
