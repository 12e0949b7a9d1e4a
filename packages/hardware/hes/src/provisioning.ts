/**
 * What a HES is provisioned with: the hardware keys, the BL2 hash, the platform claims that do not
 * come from measurements, and the boot-time measurements. Islet's simulated HES reads them from its
 * `HWData` trait; here they are one configuration object, with Islet's dummy values as
 * {@link ISLET_DUMMY_PROVISIONING}.
 *
 * **These are published test secrets.** Anyone can re-derive the CPAK and every DAK of a platform
 * provisioned with them; never use them where attestation is meant to mean something.
 * @see islet-reference.md §3 (Simulated provisioning); Islet `hes/islet-hes-host-app/src/main.rs`
 * @module
 */
import { fromHex } from '@islet/arch';
import { PlatformProfile } from '@islet/token';
import type { Measurement } from './measurement.ts';

/** A HES provisioning configuration. */
export interface HesProvisioning {
  /** Hardware unique key (32 bytes): the VHUK seeds. */
  readonly huk: Uint8Array;
  /** Group unique key (32 bytes): the CPAK and DAK seeds. */
  readonly guk: Uint8Array;
  /** Signed hash of the BL2 image (32 to 64 bytes): part of the CPAK and DAK seed contexts. */
  readonly bl2SignedHash: Uint8Array;
  /** Implementation ID claim (2396), 32 bytes. */
  readonly implementationId: Uint8Array;
  /** Profile claim (265). */
  readonly profile: PlatformProfile;
  /** Security lifecycle claim (2395); also the VHUK context word. */
  readonly lifecycle: number;
  /**
   * The lifecycle word of the DAK seed context; `lifecycle` when absent. Islet HES builds of 2023
   * wrote 3 there whatever the claim said (the RAKs of the `remote-attestation` and
   * `realm-verifier` tokens re-derive only with 3); newer builds write the claim (0x3000 in the
   * `ratls` token). A named deviation, so that both eras' tokens can be reproduced.
   */
  readonly dakSeedLifecycle?: number;
  /** Verification service indicator claim (2400), if any. */
  readonly verificationService?: string;
  /** Platform configuration claim (2401). */
  readonly config: Uint8Array;
  /** Boot-time measurements, loaded into slots 0, 1, … at power-on. */
  readonly bootMeasurements: readonly Measurement[];
}

/** Islet's dummy BL1 boot measurement (SHA-256). */
const DUMMY_BL1: Measurement = {
  metadata: {
    signerId: fromHex('c6c32a957df4c6698c550b695d022ed5180cae71f8b49cbb75e6061c2ef497e1'),
    swType: 'BL1',
    swVersion: '0.1.0',
    algorithm: 'sha-256',
  },
  value: fromHex('61973b4f620c2ae6c7635118a0b4376d15344c1c53a21789b1aa95d20f3c4506'),
};

/** Islet's dummy BL2 boot measurement (SHA-512, 64-byte value). */
const DUMMY_BL2: Measurement = {
  metadata: {
    signerId: fromHex('a064b1ad60fa183394dda57891357f972e4fe722782adff1854c8b2a142c0410'),
    swType: 'BL2',
    swVersion: '1.9.0+0',
    algorithm: 'sha-512',
  },
  value: fromHex(
    '8a6601f670748be233ff5d75d7ea89a8bbbbbbbbbbbbbbbb010501ef680788cc' +
      '830922cd0961b6ffbbbbbbbbbbbbbbbb564658499931cf597dbc3a4e68798a1c',
  ),
};

/** GUK = `01 23 45 67 89` repeated to 32 bytes (Islet `res/dummy_guk.bin`). */
const DUMMY_GUK = Uint8Array.from({ length: 32 }, (_, i) => [0x01, 0x23, 0x45, 0x67, 0x89][i % 5]!);

/**
 * Islet's simulated provisioning (`islet-hes-host-app`): HUK `00..0f 00..0f`, GUK `01 23 45 67 89`
 * repeated, BL2 hash `f15f953b…4a7b3022`, implementation ID `AA×8 BB×8 CC×8 DD×8`, profile
 * `tag:arm.com,2023:cca_platform#1.0.0`, lifecycle 0x3000 (also in the DAK seed), verification
 * service `http://whatever.com`, config `0xDEADBEEF` little-endian, boot measurements BL1 (SHA-256)
 * and BL2 (SHA-512).
 *
 * With it, {@link deriveCpak} gives exactly Islet's `cpak_public.bin`.
 * @since 0.1.0
 */
export const ISLET_DUMMY_PROVISIONING: HesProvisioning = Object.freeze({
  huk: fromHex('000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f'),
  guk: DUMMY_GUK,
  bl2SignedHash: fromHex('f15f953be50dad92c3b2aa3297e6a4a8d66d33638449ec1922b4a7924a7b3022'),
  implementationId: fromHex('aa'.repeat(8) + 'bb'.repeat(8) + 'cc'.repeat(8) + 'dd'.repeat(8)),
  profile: PlatformProfile.V1,
  lifecycle: 0x3000,
  verificationService: 'http://whatever.com',
  config: fromHex('efbeadde'),
  bootMeasurements: Object.freeze([DUMMY_BL1, DUMMY_BL2]),
});

/**
 * The same dummy provisioning as Islet HES builds of 2023 ran it: legacy profile
 * `http://arm.com/CCA-SSD/1.0.0` and lifecycle word 3 in the DAK seed. It reproduces the platform
 * tokens and RAKs of `islet-project/remote-attestation` and `realm-verifier`.
 * @since 0.1.0
 */
export const ISLET_LEGACY_DUMMY_PROVISIONING: HesProvisioning = Object.freeze({
  ...ISLET_DUMMY_PROVISIONING,
  profile: PlatformProfile.Legacy,
  dakSeedLifecycle: 3,
});
