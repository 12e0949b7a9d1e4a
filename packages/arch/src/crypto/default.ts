/**
 * The default {@link CryptoProvider} of this runtime: node:crypto where it exists, @noble elsewhere.
 *
 * **When to use**: in applications and tests that compose the stack. Library code takes a
 * `CryptoProvider` argument instead (STYLE.md: inject providers, no implicit singletons).
 * @module
 */

import { nobleCrypto } from './noble.ts';
import { hasNodeCrypto, nodeCrypto } from './node.ts';
import type { CryptoProvider } from './provider.ts';

let chosen: CryptoProvider | undefined;

/**
 * The provider for this runtime: {@link nodeCrypto} under Node (>= 20.16), else
 * {@link nobleCrypto}. Memoized: the choice is made once.
 *
 * @example
 * ```ts
 * const crypto = defaultCrypto();
 * crypto.name; // 'node' under Node, 'noble' in a browser
 * ```
 * @returns the provider.
 * @since 0.1.0
 */
export function defaultCrypto(): CryptoProvider {
  chosen ??= hasNodeCrypto() ? nodeCrypto() : nobleCrypto;
  return chosen;
}
