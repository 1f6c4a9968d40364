import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { verdictOf } from '../../harness/checks/verdict.ts';
import type { ScenarioContext } from '../../harness/scenario/scenario-context.ts';
import { defineScenario } from '../../harness/scenario/scenario.ts';
import type { HostVm } from '../../harness/world/host-vm.ts';
import { injectFault } from '../../harness/faults/inject-fault.ts';
import { awaitServing } from '../../harness/checks/probes/serving-probe.ts';
import { observerAddress } from '../network-world/control-traffic.ts';
import { awaitNetworkControls } from '../network-world/network-evidence.ts';
import { networkZones } from '../network-world/network-zones.ts';
import { observeStaleBoot, resolvConfRewrittenAtBoot } from './stale-boot.ts';

const here = dirname(fileURLToPath(import.meta.url));
const lockedFiles = { resolvConf: '/etc/resolv.conf', rulesV4: '/etc/iptables/rules.v4' } as const;
/** A boot unseals the KEK in the TPM and loads the fence first: slow on a busy machine. */
const bootTimeoutMs = 180_000;
/** The steps a mutant's schedule may stop after (Mutant.stopAfterStep). */
const steps = { tamper: 'tamper with rules.v4 as root' } as const;

interface TamperAttempt {
  path: string;
  flagsBefore: string;
  writeRefused: boolean;
  error: string;
  contentUnchanged: boolean;
  /** After `chattr -i`, the same write went through: the refusal was the flag's doing. */
  writableOnceUnflagged: boolean;
}

/**
 * Run by the harness, from outside the stack: a harness container in the engine host's PID
 * namespace (HostRoot) reaches the file through the root of the host's init (/proc/PID/root)
 * with its own shell, coreutils and e2fsprogs.
 * As root with the usual file permissions it tries to append; then lifts the flag and tries the
 * same write again (the control: the write path works on the file once it is not immutable);
 * then puts content and flag back as found. Nothing of the stack's image runs, so a stack
 * without these tools is testable and a patched lsattr in it cannot change the verdict.
 */
const tamperScript = `
f="$1"; cp -p "$f" /tmp/tamper.orig
flags=$(lsattr -d "$f" 2>/dev/null | cut -d' ' -f1)
before=$(sha256sum "$f" | cut -d' ' -f1)
if sh -c 'echo "# tampered" >> "$1"' tamper "$f" 2>/tmp/tamper.err; then echo WRITE=accepted; else echo WRITE=refused; fi
echo "ERROR=$(tr '\\n' ' ' </tmp/tamper.err | sed "s|$f|$2|g")"
after=$(sha256sum "$f" | cut -d' ' -f1)
[ "$before" = "$after" ] && echo UNCHANGED=yes || echo UNCHANGED=no
echo "FLAGS=$flags"
chattr -i "$f"
if sh -c 'echo "# written after the flag was lifted" >> "$1"' tamper "$f" 2>/dev/null; then echo UNFLAGGED=accepted; else echo UNFLAGGED=refused; fi
cat /tmp/tamper.orig > "$f"
case "$flags" in *i*) chattr +i "$f";; esac
`;

async function observeTamper(
  context: ScenarioContext,
  host: HostVm,
  path: string,
): Promise<TamperAttempt> {
  const root = await host.openRoot();
  try {
    const result = await root.exec(['sh', '-c', tamperScript, 'tamper', root.path(path), path], {
      timeoutMs: 20_000,
    });
    const field = (name: string) =>
      new RegExp(`^${name}=(.*)$`, 'm').exec(result.stdout)?.[1]?.trim() ?? '';
    return context.observe('tamper-attempt', {
      path,
      flagsBefore: field('FLAGS'),
      writeRefused: field('WRITE') === 'refused',
      error: field('ERROR'),
      contentUnchanged: field('UNCHANGED') === 'yes',
      writableOnceUnflagged: field('UNFLAGGED') === 'accepted',
    } satisfies TamperAttempt);
  } finally {
    await root.detach();
  }
}

function immutableCheck(name: string, path: string): Check {
  return {
    name,
    description: `As root, writing ${path} fails while its immutable flag is set, and the content stays as the stack wrote it`,
    verify(history) {
      const attempt = lastObservation<TamperAttempt>(
        history,
        'tamper-attempt',
        (d) => d.path === path,
      ).data;
      const ok =
        attempt.writeRefused && attempt.contentUnchanged && attempt.flagsBefore.includes('i');
      const observed = `flags ${attempt.flagsBefore || '(none)'}; root's append ${attempt.writeRefused ? `refused (${attempt.error})` : 'ACCEPTED'}; content ${attempt.contentUnchanged ? 'unchanged' : 'CHANGED'}`;
      return verdictOf(
        ok,
        `${path} is immutable: ${observed}`,
        `${path} is not protected: ${observed}`,
        {
          expected:
            'immutable flag (i) set, the append refused with "Operation not permitted", content unchanged',
          observed,
          evidence: [
            {
              source: `lsattr and an append as root, from a harness container in the engine host's PID namespace (${path} through /proc/PID/root of the host's init)`,
              excerpt: JSON.stringify(attempt),
            },
          ],
        },
      );
    },
  };
}

/**
 * The manual's hardening advice: resolv.conf and the firewall rules are immutable (chattr +i),
 * so that even root cannot change them without first, visibly, lifting the flag.
 */
export default defineScenario({
  name: 'config-immutability',
  description: 'As root, writing resolv.conf or rules.v4 fails until the immutable flag is removed',
  // SYS_PTRACE: the harness reaches the host's root from outside it (HostRoot).
  needs: ['cap:LINUX_IMMUTABLE', 'cap:SYS_PTRACE', 'chattr-overlay'],
  sections: ['immutability'],
  topology: {
    zones: [networkZones.sovereign],
    services: [
      {
        name: 'sovereign-dns',
        kind: 'resolver',
        zone: 'sovereign',
        options: { role: 'sovereign' },
      },
    ],
    hosts: [{ name: 'vm1', zone: 'sovereign' }],
  },
  async run(context) {
    const vm = context.world.host('vm1');
    await context.step('wait for the host to write and lock its configuration', () =>
      awaitNetworkControls(context.world, vm),
    );
    await context.step('tamper with resolv.conf as root', () =>
      observeTamper(context, vm, lockedFiles.resolvConf),
    );
    await context.step(steps.tamper, () => observeTamper(context, vm, lockedFiles.rulesV4));
    // The stale server is the zone observer's address: a node of the run that is no resolver.
    const staleServer = observerAddress(context.world, vm.spec.zone);
    await injectFault(context, 'stale-resolv-conf', { host: vm.name, server: staleServer });
    await context.step('the host boots onto the stale, locked resolv.conf', async () => {
      // The store starts after the DNS control: once it serves, the boot has written the file.
      await awaitServing(context.world, vm, bootTimeoutMs);
      await observeStaleBoot(context, vm, { staleServer, resolver: 'sovereign-dns' });
    });
  },
  checks: [
    immutableCheck('resolv-conf-immutable', lockedFiles.resolvConf),
    immutableCheck('rules-v4-immutable', lockedFiles.rulesV4),
    {
      name: 'writable-once-unflagged',
      description:
        "Control: with the flag lifted the harness's same write goes through, so what stopped it was the flag, not a read-only filesystem or the harness's way in",
      verify(history) {
        const attempts = Object.values(lockedFiles).map(
          (path) =>
            lastObservation<TamperAttempt>(history, 'tamper-attempt', (d) => d.path === path).data,
        );
        const stuck = attempts.filter((a) => !a.writableOnceUnflagged);
        return verdictOf(
          stuck.length === 0,
          'both files take a write once the flag is lifted',
          `still not writable without the flag: ${stuck.map((a) => a.path).join(', ')}`,
          {
            expected: 'the append accepted after chattr -i',
            observed: attempts
              .map((a) => `${a.path}: ${a.writableOnceUnflagged ? 'accepted' : 'refused'}`)
              .join('; '),
          },
        );
      },
    },
    resolvConfRewrittenAtBoot,
  ],
  mutants: [
    {
      name: 'flag-not-set',
      description: 'The stack writes resolv.conf and rules.v4 but never sets the immutable flag',
      expectFailing: ['resolv-conf-immutable', 'rules-v4-immutable'],
      stopAfterStep: steps.tamper,
      stackPatch: join(here, 'mutants', 'flag-not-set.patch'),
    },
    {
      name: 'locked-resolv-conf-kept',
      description:
        'The stack leaves a resolv.conf it finds immutable at boot as it is ("an operator\'s lock wins"): a stale server stays, locked',
      expectFailing: ['resolv-conf-rewritten-at-boot'],
      stackPatch: join(here, 'mutants', 'locked-resolv-conf-kept.patch'),
    },
  ],
});
