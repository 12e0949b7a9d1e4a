/**
 * The `--backend`, `--identity` and `--tsm-root` options of the realm commands, and the
 * {@link RsiBackend} they choose: `simulated` (the default, `@islet/fvp`'s `SimulatedRealm`: an
 * in-process platform with Islet's dummy provisioning and one realm, booted for the one command
 * and closed after it) or `tsm` (a real Arm CCA Linux guest through configfs-tsm, tokens only).
 * @module
 */
import { IsletError } from '@islet/arch';
import { SimulatedRealm } from '@islet/fvp';
import { type RsiBackend, TSM_REPORT_ROOT, tsmBackend } from '@islet/sdk';

/** The names `--backend` takes. */
export const BACKENDS = ['simulated', 'tsm'] as const;

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
                      tsm: this machine's Arm CCA realm through configfs-tsm (tokens only)
  --identity <name>   simulated: who the caller is, measured into the realm's RIM, so another
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
  if (name !== 'simulated' && name !== 'tsm') {
    throw new IsletError('USAGE', `--backend must be ${BACKENDS.join(' or ')}`, { details: name });
  }
  if (name === 'simulated' && choice['tsm-root'] !== undefined) {
    throw new IsletError('USAGE', '--tsm-root applies to --backend tsm');
  }
  if (name === 'tsm' && choice.identity !== undefined) {
    throw new IsletError('USAGE', '--identity applies to --backend simulated', {
      details: "a real realm's identity is its image",
    });
  }
  return name;
}

/**
 * Opens the chosen backend, runs `fn` with it and closes it, whatever `fn` does: a simulated
 * platform's threads would otherwise keep the process alive.
 * @throws {@link IsletError} what {@link backendName}, the backend and `fn` throw.
 */
export function withBackend<T>(choice: BackendChoice, fn: (backend: RsiBackend) => T): T {
  const backend: RsiBackend =
    backendName(choice) === 'tsm'
      ? tsmBackend(choice['tsm-root'] === undefined ? {} : { root: choice['tsm-root'] })
      : new SimulatedRealm(choice.identity === undefined ? {} : { identity: choice.identity });
  try {
    return fn(backend);
  } finally {
    backend.close?.();
  }
}

/** How a summary line names the backend: `simulated, identity "islet-sdk"` or `tsm`. */
export function describeBackend(choice: BackendChoice): string {
  return backendName(choice) === 'tsm'
    ? `tsm at ${choice['tsm-root'] ?? TSM_REPORT_ROOT}`
    : `simulated, identity ${JSON.stringify(choice.identity ?? 'islet-sdk')}`;
}
