/**
 * Runs a realm program in a `node:vm` context that sees only the guest API.
 *
 * **Why the program cannot reach the host.** A context has its own global object and its own
 * intrinsics (`Object`, `Function`, `Error`, …); what crosses between it and the host realm is
 * what one side hands the other. So:
 * - the context is created over a null-prototype object (the classic
 *   `this.constructor.constructor('return process')()` escape goes through the prototype of an
 *   ordinary sandbox object to the host's `Function`), with code generation from strings and
 *   WebAssembly compilation off: even the context's own `Function`, `eval` and
 *   `AsyncFunction` constructors throw EvalError;
 * - every API object and function is made inside the context by {@link SANDBOX_BOOTSTRAP}, which
 *   keeps the host functions in its closure; results are copied into context values and host
 *   errors are rethrown as context errors carrying only `message` and `code`, so no host object,
 *   constructor or prototype is ever returned, thrown or passed to a program callback (the API
 *   takes none);
 * - host functions never call program code: they receive primitives, fresh Uint8Arrays and
 *   fresh arrays of primitives, which they copy with internal-slot operations;
 * - the bootstrap and every host frame are strict, so `fn.caller`, `arguments.callee.caller` and
 *   a program's `Error.prepareStackTrace` (whose CallSites V8 makes in the context) never yield a
 *   host function or receiver;
 * - `import()`: the script's dynamic-import hook throws an error made in the context, so the
 *   program's ImportCall rejects with a context error. Node honours that hook only with
 *   `--experimental-vm-modules` (the vCPU worker threads run with it); without it, Node would
 *   reject with an error made in the host realm, so where the flag is missing (a program run
 *   in-thread) a program whose text has the keyword `import` before `(` or `.` is refused before
 *   it runs: with code generation off, the only source an ImportCall can come from is the
 *   program's text, and a keyword cannot be spelt with escapes.
 * - microtasks run in the context's own queue after each evaluation (`afterEvaluate`), so a
 *   program's promises settle within the run, and never on the host's queue.
 *
 * **What it does not protect against.** A program that never returns (`for (;;) {}`) keeps its
 * vCPU, and whatever waits on it, forever: nothing interrupts it (on hardware a timer interrupt
 * would; this runtime has no timers). A program that exhausts memory takes its worker thread down
 * with it. Stack traces show the host's file names. And `node:vm` is not a boundary against V8
 * bugs: the worker thread's separate isolate is the next line of defence, with nothing of the
 * platform in it.
 * @module
 */
import { types } from 'node:util';
import * as vm from 'node:vm';
import { createContext, Script } from 'node:vm';
import { IsletError, isIsletError } from '@islet/arch';
import { SANDBOX_BOOTSTRAP } from './sandbox-bootstrap.ts';

/**
 * A function of the guest API, as the host implements it. Its arguments come from the program:
 * primitives, Uint8Arrays and arrays of primitives of the program's context, to be checked.
 * @since 0.1.0
 */
export type HostFunction = (...args: unknown[]) => unknown;

/**
 * The guest API as the host describes it: functions, primitive constants and nested namespaces.
 * @since 0.1.0
 */
export interface HostApi {
  readonly [name: string]: HostFunction | HostApi | string | number | bigint | boolean;
}

/**
 * How a program's run ended.
 * @since 0.1.0
 */
export type ProgramOutcome =
  /** The script completed, and so did the promise it evaluated to, if any (or it never settles). */
  | { readonly kind: 'returned' }
  /** The script threw, or its promise rejected: `description` is the error as printed. */
  | { readonly kind: 'threw'; readonly description: string };

/** What the bootstrap returns to the host. */
interface SandboxTools {
  describe(value: unknown): string;
  track(promise: unknown): void;
  settled(): readonly [string, string];
}

type Install = (
  api: HostApi,
  print: HostFunction,
  describeHostError: (e: unknown) => readonly [string, string],
) => SandboxTools;

/**
 * An ImportCall or `import.meta` in program text: the keyword, then `(` or `.` after any
 * whitespace and comments. Used only where the dynamic-import hook is not honoured.
 */
const IMPORT = /\bimport(?:\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*\n)*[(.]/;
/** Whether Node honours a script's dynamic-import hook (`--experimental-vm-modules`). */
const IMPORT_HOOK = typeof (vm as { SourceTextModule?: unknown }).SourceTextModule === 'function';
const BOOTSTRAP = new Script(SANDBOX_BOOTSTRAP, { filename: 'islet:guest-api' });
/** Evaluating nothing runs the context's microtasks (`afterEvaluate`). */
const DRAIN = new Script('', { filename: 'islet:drain' });

/**
 * What a program sees of a host error: its code and short message, as strings. Reads no
 * property that could run code.
 */
function describeHostError(e: unknown): readonly [string, string] {
  if (isIsletError(e)) return [e.code, e.shortMessage];
  if (types.isNativeError(e)) {
    const message: unknown = Object.getOwnPropertyDescriptor(e, 'message')?.value;
    return ['GUEST_INTERNAL', typeof message === 'string' ? message : 'internal error'];
  }
  return ['GUEST_INTERNAL', 'internal error'];
}

/**
 * Compiles and runs `source` in a fresh context whose globals are `api`'s names and a `console`
 * that writes through `print`.
 * @param filename - the name stack traces give the program.
 * @throws {@link IsletError} `GUEST_PROGRAM_REFUSED` when the source has an ImportCall and the
 *   dynamic-import hook is not honoured,
 *   `GUEST_PROGRAM_INVALID` when it does not compile.
 * @since 0.1.0
 */
export function runProgram(
  source: string,
  api: HostApi,
  print: (text: string) => void,
  filename = 'realm.js',
): ProgramOutcome {
  if (!IMPORT_HOOK && IMPORT.test(source)) {
    throw new IsletError('GUEST_PROGRAM_REFUSED', 'the program uses `import`', {
      details: 'a realm program has no modules; dynamic import() is not available',
    });
  }
  // Made in the context once it exists: what a program's import() rejects with.
  let refuseImport: () => never = () => {
    throw new Error('no context');
  };
  let script: Script;
  try {
    script = new Script(source, {
      filename,
      ...(IMPORT_HOOK ? { importModuleDynamically: () => refuseImport() } : {}),
    });
  } catch (e) {
    const [, message] = describeHostError(e);
    throw new IsletError('GUEST_PROGRAM_INVALID', `the program does not compile: ${message}`, {
      cause: e,
    });
  }
  const context = createContext(Object.create(null), {
    name: filename,
    codeGeneration: { strings: false, wasm: false },
    microtaskMode: 'afterEvaluate',
  });
  const ContextError = vm.runInContext('Error', context) as ErrorConstructor;
  refuseImport = () => {
    throw new ContextError('a realm program has no modules: import() is not available');
  };
  const install = BOOTSTRAP.runInContext(context, { displayErrors: false }) as Install;
  const tools = install(api, (text) => print(String(text)), describeHostError);
  const describe = (e: unknown): string => {
    try {
      const text = tools.describe(e);
      return typeof text === 'string' ? text : 'an unprintable value';
    } catch {
      return 'an unprintable value';
    }
  };
  let completion: unknown;
  try {
    // No `displayErrors`: Node would decorate the error's stack with a source excerpt.
    completion = script.runInContext(context, { displayErrors: false });
  } catch (e) {
    return { kind: 'threw', description: describe(e) };
  }
  if (types.isPromise(completion)) {
    tools.track(completion);
    DRAIN.runInContext(context, { displayErrors: false });
    // Indexing, not destructuring: the context's array iterator is the program's to replace.
    const settled = tools.settled();
    const description = settled[1];
    if (settled[0] === 'rejected') {
      return { kind: 'threw', description: typeof description === 'string' ? description : '' };
    }
  }
  return { kind: 'returned' };
}
