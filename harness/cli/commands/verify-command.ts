import { readBundle } from '../../report/bundle/bundle-reader.ts';
import { formatVerification, verifyBundle } from '../../report/bundle/bundle-verifier.ts';

/**
 * `sovh verify BUNDLE`: checks an evidence bundle (its folder or its .tar.gz) against its signed
 * manifest. Exits 0 when every file is as signed, 1 when anything changed, is missing or was added.
 */
export async function verifyCommand(
  bundlePath: string,
  options: { expectKey?: string; json?: boolean },
): Promise<number> {
  const verification = verifyBundle(await readBundle(bundlePath), { expectKey: options.expectKey });
  process.stdout.write(
    options.json === true
      ? `${JSON.stringify(verification, null, 2)}\n`
      : `${formatVerification(bundlePath, verification)}\n`,
  );
  return verification.ok ? 0 : 1;
}
