/**
 * The library error model: one {@link IsletError} with a stable `code`, a short message, details and a
 * walkable cause chain (after viem/ox). ABI results are never errors: RMI and RSI handlers return
 * status values. Invariant violations are bugs and throw {@link IsletInvariantError}.
 * @module
 */

/** Options accepted by {@link IsletError}. */
export interface IsletErrorOptions {
  /** A longer explanation, printed after the short message. */
  readonly details?: string;
  /** Extra lines that help the reader (expected and actual values, the file, the claim). */
  readonly metaMessages?: readonly string[];
  /** The error that caused this one. */
  readonly cause?: unknown;
  /** Where the documentation of this error lives, relative to the docs site. */
  readonly docsPath?: string;
}

/**
 * The base of every coded error the stack throws.
 *
 * `code` is a stable string literal that callers and tests match on; `shortMessage` is one line that
 * names what is wrong. `message` adds the details and meta messages.
 *
 * @example
 * ```ts
 * const err = new IsletError('TOKEN_CBOR_TRAILING', 'trailing bytes after the token', {
 *   details: '3 bytes follow the top-level item',
 * });
 * err.code; // 'TOKEN_CBOR_TRAILING'
 * ```
 * @since 0.1.0
 */
export class IsletError<code extends string = string> extends Error {
  override name = 'IsletError';
  /** The stable, machine-readable code. */
  readonly code: code;
  /** One line naming what is wrong. */
  readonly shortMessage: string;
  /** A longer explanation, if any. */
  readonly details: string | undefined;
  /** Extra context lines. */
  readonly metaMessages: readonly string[] | undefined;
  /** Where the documentation of this error lives. */
  readonly docsPath: string | undefined;

  constructor(code: code, shortMessage: string, options: IsletErrorOptions = {}) {
    const lines = [shortMessage];
    if (options.metaMessages?.length) lines.push('', ...options.metaMessages);
    if (options.details) lines.push('', `Details: ${options.details}`);
    if (options.docsPath) lines.push(`Docs: ${options.docsPath}`);
    super(lines.join('\n'), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.metaMessages = options.metaMessages;
    this.docsPath = options.docsPath;
  }

  /**
   * Walks the cause chain and returns the deepest error, or the first one `fn` accepts.
   * @param fn - a predicate; without it the walk returns the root cause.
   * @returns the matching error, or `null` when `fn` matches none.
   */
  walk(fn?: (err: unknown) => boolean): unknown {
    return walk(this, fn);
  }
}

function walk(err: unknown, fn: ((err: unknown) => boolean) | undefined): unknown {
  if (fn?.(err)) return err;
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause !== undefined && cause !== null) return walk(cause, fn);
  return fn ? null : err;
}

/**
 * A broken invariant inside one trust boundary: a bug, never a reaction to hostile input. Nothing
 * catches it (TF-RMM's `assert`).
 */
export class IsletInvariantError extends IsletError<'INVARIANT'> {
  override name = 'IsletInvariantError';
  constructor(message: string) {
    super('INVARIANT', message);
  }
}

/**
 * Asserts an internal invariant. On a hot path pass the message as a function: a template
 * literal is formatted on every call, which can cost more than the check it explains.
 * @throws {@link IsletInvariantError} when `condition` is false.
 */
export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new IsletInvariantError(typeof message === 'string' ? message : message());
}

/** Whether `err` is an {@link IsletError}, optionally with the given code. */
export function isIsletError<code extends string>(
  err: unknown,
  code?: code,
): err is IsletError<code> {
  return err instanceof IsletError && (code === undefined || err.code === code);
}
