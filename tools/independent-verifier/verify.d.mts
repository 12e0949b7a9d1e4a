/** Types of verify.mjs (plain JavaScript, so that it shares nothing with the project). @module */
import type { KeyObject } from 'node:crypto';

/** A failed check: `check` names it, the message starts with it. */
export declare class CcaVerifyError extends Error {
  constructor(check: string, detail: string, cause?: unknown);
  readonly check: string;
}

/** A software component of the platform (claim 2399), byte strings as hex. */
export interface SwComponent {
  type?: string;
  measurement: string;
  version?: string;
  signerId: string;
  hashAlgo?: string;
}

/** What `verifyCcaToken` returns: the claims, byte strings as lowercase hex. */
export interface VerifiedCcaToken {
  format: { tag: 399 | 907; entries: 'bstr' | 'cmw' };
  realmChallenge: string;
  rim: string;
  rem: string[];
  rpv: string;
  platform: {
    alg: 'ES256' | 'ES384' | 'ES512';
    profile: string;
    challenge: string;
    implementationId: string;
    instanceId: string;
    config: string;
    lifecycle: number;
    lifecycleState: string;
    swComponents: SwComponent[];
    verificationService?: string;
    hashAlgo: string;
  };
  realm: {
    alg: 'ES256' | 'ES384' | 'ES512';
    profile?: string;
    challenge: string;
    instanceId?: string;
    rpv: string;
    hashAlgo: string;
    rak: string;
    rim: string;
    rem: string[];
    rakHashAlgo: string;
    mecPolicy?: unknown;
  };
}

/** The platform key: PEM (SPKI), SPKI DER, a raw 0x04||X||Y point, or a KeyObject. */
export type CpakInput = string | Uint8Array | KeyObject;

export declare function verifyCcaToken(token: Uint8Array, cpak: CpakInput): VerifiedCcaToken;

export declare function splitCcaToken(token: Uint8Array): {
  tag: 399 | 907;
  entries: 'bstr' | 'cmw';
  platform: Uint8Array;
  realm: Uint8Array;
};

export declare function cpakKey(cpak: CpakInput): KeyObject;
