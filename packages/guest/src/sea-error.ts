/** The error a realm's access takes on a synchronous external abort. @module */
import { IsletError } from '@islet/arch';

/**
 * A synchronous external abort on a load or store: the host injected it (RMI_REC_ENTER
 * `inject_sea`) or the IPA cannot be accessed (RIPAS EMPTY, an unprotected IPA no device
 * claims). On hardware the realm takes an exception; here the access throws this.
 * @since 0.1.0
 */
export class SeaError extends IsletError<'GUEST_SEA'> {
  override name = 'Guest.SeaError';
  /** The IPA of the access that aborted. */
  readonly ipa: number;

  constructor(ipa: number) {
    super('GUEST_SEA', `synchronous external abort at IPA 0x${ipa.toString(16)}`);
    this.ipa = ipa;
  }
}
