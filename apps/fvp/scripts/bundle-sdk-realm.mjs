// Bundles the SDK realm runtime (src/sdk-realm-runtime.ts, built by tsc into dist/) with
// @islet/sdk and @islet/arch's noble provider into one script a realm program can carry:
// dist/sdk-realm-runtime.iife.js, defining the global `IsletSdkRealm`. Run by `build` after tsc.
// A realm program has no modules and no Node globals, so the output is checked: no module
// syntax, and it loads in a bare node:vm context (no Node or web globals, no eval), as a realm's.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('../dist/sdk-realm-runtime.js', import.meta.url));
const outfile = fileURLToPath(new URL('../dist/sdk-realm-runtime.iife.js', import.meta.url));

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'iife',
  globalName: 'IsletSdkRealm',
  // Neither Node nor a browser: a node:vm context with only ECMAScript intrinsics.
  platform: 'neutral',
  mainFields: ['module', 'main'],
  target: 'es2022',
  minify: true,
  legalComments: 'eof',
  // Only reached by modules the runtime does not use (tsm-backend); tree-shaking drops them, and
  // the check below fails the build if one survives.
  external: ['node:*'],
  logLevel: 'warning',
});

const source = readFileSync(outfile, 'utf8');
const fail = (why) => {
  console.error(`bundle-sdk-realm: ${outfile} ${why}, which a realm program cannot`);
  process.exit(1);
};
if (/\brequire\s*\(/.test(source)) fail('calls require()');
if (/\bimport\s*[(.]/.test(source)) fail('uses import() or import.meta');
const bare = createContext(Object.create(null), {
  codeGeneration: { strings: false, wasm: false },
});
try {
  runInContext(`${source};typeof IsletSdkRealm.sdkRealmHandler`, bare) === 'function' ||
    fail('does not define IsletSdkRealm.sdkRealmHandler');
} catch (e) {
  fail(`does not load in a bare context (${e})`);
}
console.log(`bundle-sdk-realm: ${outfile} (${(statSync(outfile).size / 1024).toFixed(1)} KiB)`);
