/** Runs the README's example, so the documentation cannot rot. @module */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, expect, test, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
const file = new URL('../readme-example.tmp.ts', import.meta.url);

afterAll(() => rmSync(file, { force: true }));

test('the README example boots, faults the host and builds a realm', async () => {
  expect(example).toBeDefined();
  writeFileSync(file, example!);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await import(/* @vite-ignore */ file.href);
  expect(log.mock.calls).toEqual([['GRANULE_PROTECTION_FAULT'], [1]]);
});
