import { SovhError } from '../util/sovh-error.ts';

/**
 * Thrown by a step that needs what only a simulated device can do (power-cycle a TPM, fail a
 * UPS's mains): the scenario then ends "not applicable: <reason>", by name, never pass.
 */
export class DeviceNotApplicable extends SovhError {
  constructor(readonly reason: string) {
    super('DEVICE_NOT_APPLICABLE', `not applicable: ${reason}`, { details: { reason } });
  }
}

export function isDeviceNotApplicable(error: unknown): error is DeviceNotApplicable {
  return error instanceof DeviceNotApplicable;
}
