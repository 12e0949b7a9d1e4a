/** Runs the README's example, so the documentation cannot rot. @module */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, expect, test, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const example = examples[0];
const file = new URL('../readme-example.tmp.ts', import.meta.url);
const realmFile = new URL('../readme-realm-example.tmp.ts', import.meta.url);

afterAll(() => {
  rmSync(file, { force: true });
  rmSync(realmFile, { force: true });
});

test('the README example boots, faults the host and builds a realm', async () => {
  expect(example).toBeDefined();
  writeFileSync(file, example!);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await import(/* @vite-ignore */ file.href);
  expect(log.mock.calls).toEqual([['GRANULE_PROTECTION_FAULT'], [1]]);
  log.mockRestore();
});

test('the README realm example attests and verifies, and the RIM is the prediction', async () => {
  const realm = examples[1];
  expect(realm).toContain('runRealmApp');
  // The example's last expression statement, turned into a check of the prediction.
  const checked = realm!.replace(
    'report.realm.initialMeasurement; // = computeRim(launch).rim',
    "if (Buffer.compare(report.realm.initialMeasurement, computeRim(launch).rim) !== 0) throw new Error('RIM');\nconsole.log('verified');",
  );
  expect(checked).not.toBe(realm);
  writeFileSync(realmFile, checked);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await import(/* @vite-ignore */ realmFile.href);
  expect(log.mock.calls).toEqual([['verified']]);
  log.mockRestore();
});
