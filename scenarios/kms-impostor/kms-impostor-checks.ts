import { lastObservation, type Check } from '../../harness/checks/check.ts';
import { fail, pass, type Verdict } from '../../harness/checks/verdict.ts';
import type { ImpostorKmsObservation } from './kms-impostor-evidence.ts';

const expected =
  "the host tries the KMS and sends it no KMIP request (it refuses the certificate), and its store stays closed; the KMS logs the harness's own request";

/** A check that the KMS with a certificate of this kind got nothing from the host it was named to. */
function impostorCheck(
  name: string,
  certificate: ImpostorKmsObservation['certificate'],
  description: string,
): Check {
  return {
    name,
    description,
    verify(history): Verdict {
      const seen = lastObservation<ImpostorKmsObservation>(
        history,
        'impostor-kms',
        (d) => d.certificate === certificate,
      ).data;
      const observed = `${String(seen.attempts)} connection attempt(s) from the network; accepted from ${seen.acceptedFrom.join(', ') || 'nobody'}; operations from ${seen.hostAddress}: ${seen.hostOperations.join(', ') || 'none'}; store ${seen.storeServing === undefined ? 'not probed' : seen.storeServing ? 'SERVING' : 'closed'}; the harness's own request ${seen.controlLogged ? 'logged' : 'NOT logged'}`;
      const details = {
        expected,
        observed,
        evidence: [
          {
            source: `${seen.kms}: its kernel's count of KMIP connection attempts and its own log of processed operations`,
            excerpt: JSON.stringify(seen),
          },
        ],
      };
      if (seen.hostOperations.length > 0 || seen.storeServing === true)
        return fail(
          `${seen.host} took the impostor for its KMS: ${String(seen.hostOperations.length)} KMIP operation(s) processed for it (${[...new Set(seen.hostOperations)].join(', ') || 'none'}), store ${seen.storeServing === true ? 'serving' : 'closed'}`,
          details,
        );
      if (seen.attempts === 0)
        return {
          status: 'unknown',
          summary: `${seen.host} never tried the KMS its site file names: nothing shows that it would refuse an impostor`,
          ...details,
        };
      if (!seen.controlLogged)
        return {
          status: 'unknown',
          summary:
            "the KMS's log did not record the harness's own request: its silence about the host proves nothing",
          ...details,
        };
      return pass(
        `${seen.host} tried the impostor ${String(seen.attempts)} time(s) and sent it no request; its store stays closed`,
        details,
      );
    },
  };
}

/** The KMSes at the site's address whose certificates must be refused get nothing. */
export const impostorChecks: readonly Check[] = [
  impostorCheck(
    'untrusted-kms-gets-no-request',
    'another-authority',
    "A KMS at the address the site file names, whose certificate an authority other than the site's `ca` signed (under the same name), gets no KMIP request from the host, and the host's store does not serve with a key from it",
  ),
  impostorCheck(
    'misnamed-kms-gets-no-request',
    'another-name',
    "A KMS at the address the site file names, whose certificate the site's `ca` signed for another KMS (another address and name), gets no KMIP request from the host, and the host's store does not serve with a key from it",
  ),
  impostorCheck(
    'san-less-kms-gets-no-request',
    'common-name-only',
    "A KMS at the address the site file names, whose certificate the site's `ca` signed with no subjectAltName (the address only as its common name, which does not count), gets no KMIP request from the host, and the host's store does not serve with a key from it",
  ),
];
