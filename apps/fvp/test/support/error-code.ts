/** The code of what a call throws, for tests of coded errors. @module */
import { isIsletError } from '@islet/arch';

/** The `IsletError` code `fn` throws, `not coded: …` for anything else, `undefined` if it returns. */
export function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isIsletError(e) ? e.code : `not coded: ${String(e)}`;
  }
  return undefined;
}
