/**
 * The register contract of Islet's vendor RSI call `RSI_ISLET_REALM_SEALING_KEY`: a realm asks the
 * RMM for a 32-byte key bound to the platform (a VHUK) and to its own identity, to seal data with.
 *
 * ```text
 * RSI_ISLET_REALM_SEALING_KEY 0xC7000191: X1 flags, X2 svn → X0 status, X1..X4 = key (4 LE u64)
 * flags bit0 USE_VHUK_M (0 = VHUK_A, 1 = VHUK_M), bit1 RIM, bit2 REALM_ID, bit3 SVN
 * ```
 *
 * The derivation (HKDF-SHA256 over the VHUK and a packed info of the realm's identity) is the
 * RMM's; `@islet/hes` `sealing-key.ts` documents it byte for byte.
 * @see islet-reference.md §2.10; Islet `rmm/src/rsi/sealing.rs`, `doc/components/sealing.md`
 * @module
 */

/**
 * The flag bits of `RSI_ISLET_REALM_SEALING_KEY` X1 (Islet `RSI_ISLET_USE_VHUK_M`,
 * `RSI_ISLET_SLK_*`).
 * @since 0.7.0
 */
export const IsletSealingKeyFlag = {
  /** Derive from VHUK_M (firmware measurements) instead of VHUK_A (firmware authorities). */
  UseVhukM: 0x1,
  /** Bind the key to the realm's RIM. */
  Rim: 0x2,
  /** Bind the key to the realm ID of the realm's metadata. */
  RealmId: 0x4,
  /** Bind the key to the SVN in X2 (at most the SVN of the realm's metadata). */
  Svn: 0x8,
} as const;
/** One flag bit of `RSI_ISLET_REALM_SEALING_KEY`. @since 0.7.0 */
export type IsletSealingKeyFlag = (typeof IsletSealingKeyFlag)[keyof typeof IsletSealingKeyFlag];

/**
 * Every defined flag bit of X1.
 * @since 0.7.0
 */
export const ISLET_SEALING_KEY_FLAGS_MASK = 0xf;

/**
 * Bytes of a realm sealing key (X1..X4).
 * @since 0.7.0
 */
export const ISLET_SEALING_KEY_SIZE = 32;
