/**
 * The `--backend`, `--identity` and `--tsm-root` options of the realm commands, and the
 * {@link RealmSdk} they choose:
 *
 * - `simulated` (the default): `@islet/fvp`'s `SimulatedRealm`, an in-process platform with
 *   Islet's dummy provisioning and one realm that answers RSI calls; the SDK runs here;
 * - `fvp`: `@islet/fvp`'s `FvpRealmSdk`, the same platform, and the SDK runs inside the realm
 *   (its sealing key never leaves it);
 * - `tsm`: a real Arm CCA Linux guest through configfs-tsm, tokens only.
 *
 * A simulated or fvp platform is booted for the one command and closed after it.
 * @module
 */
import { IsletError } from '@islet/arch';
import { FvpRealmSdk, SimulatedRealm } from '@islet/fvp';
import { type RealmSdk, realmSdk, TSM_REPORT_ROOT, tsmBackend } from '@islet/sdk';

/** The names `--backend` takes. */
export const BACKENDS = ['simulated', 'fvp', 'tsm'] as const;

/** A backend name. */
export type BackendName = (typeof BACKENDS)[number];

/** The `parseArgs` options every realm command takes. */
export const BACKEND_OPTIONS: {
  readonly backend: { readonly type: 'string' };
  readonly identity: { readonly type: 'string' };
  readonly 'tsm-root': { readonly type: 'string' };
} = {
  backend: { type: 'string' },
  identity: { type: 'string' },
  'tsm-root': { type: 'string' },
};

/** The help lines of {@link BACKEND_OPTIONS}. */
export const BACKEND_HELP: string = `Backend options:
  --backend <name>    simulated (default): an in-process platform provisioned with Islet's dummy
                      secrets and one realm, booted for this command only and closed after it;
                      the SDK runs here and asks the realm for RSI calls;
                      fvp: the same platform, with the SDK running inside the realm (through
                      its guest shim): the realm attests, seals and unseals, and its sealing
                      key never leaves it;
                      tsm: this machine's Arm CCA realm through configfs-tsm (tokens only)
  --identity <name>   simulated, fvp: who the caller is, measured into the realm's RIM, so another
                      identity has another RIM and other sealing keys (default islet-sdk)
  --tsm-root <dir>    tsm: the configfs-tsm report directory (default ${TSM_REPORT_ROOT})`;

/** The parsed backend options. */
export interface BackendChoice {
  readonly backend?: string | undefined;
  readonly identity?: string | undefined;
  readonly 'tsm-root'?: string | undefined;
}

/**
 * Checks the backend options without starting anything, so bad arguments fail before a platform
 * boots.
 * @returns the backend name.
 * @throws {@link IsletError} `USAGE` for an unknown backend or an option of the other backend.
 */
export function backendName(choice: BackendChoice): BackendName {
  const name = choice.backend ?? 'simulated';
  const known = BACKENDS.find((b) => b === name);
  if (known === undefined) {
    throw new IsletError('USAGE', `--backend must be ${BACKENDS.join(', ')}`, { details: name });
  }
  if (known !== 'tsm' && choice['tsm-root'] !== undefined) {
    throw new IsletError('USAGE', '--tsm-root applies to --backend tsm');
  }
  if (known === 'tsm' && choice.identity !== undefined) {
    throw new IsletError('USAGE', '--identity applies to --backend simulated or fvp', {
      details: "a real realm's identity is its image",
    });
  }
  return known;
}

/**
 * Opens the chosen backend, runs `fn` with the SDK over it and closes it, whatever `fn` does: a
 * platform's threads would otherwise keep the process alive.
 * @throws {@link IsletError} what {@link backendName}, the backend and `fn` throw.
 */
export function withSdk<T>(choice: BackendChoice, fn: (sdk: RealmSdk) => T): T {
  const identity = choice.identity === undefined ? {} : { identity: choice.identity };
  const name = backendName(choice);
  const sdk: RealmSdk =
    name === 'fvp'
      ? new FvpRealmSdk(identity)
      : realmSdk(
          name === 'tsm'
            ? tsmBackend(choice['tsm-root'] === undefined ? {} : { root: choice['tsm-root'] })
            : new SimulatedRealm(identity),
        );
  try {
    return fn(sdk);
  } finally {
    sdk.close?.();
  }
}

/** How a summary line names the backend: `simulated, identity "islet-sdk"`, `fvp, …` or `tsm at …`. */
export function describeBackend(choice: BackendChoice): string {
  const name = backendName(choice);
  return name === 'tsm'
    ? `tsm at ${choice['tsm-root'] ?? TSM_REPORT_ROOT}`
    : `${name}, identity ${JSON.stringify(choice.identity ?? 'islet-sdk')}`;
}
