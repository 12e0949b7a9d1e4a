/** The examples run, and say what they should. @module */
import { expect, it } from 'vitest';
import { sdkRoundTrip } from '../src/examples/sdk-round-trip.ts';

it('the SDK round trip attests, verifies, seals and refuses another realm', () => {
  const lines: string[] = [];
  sdkRoundTrip((line) => lines.push(line));
  expect(lines[0]).toMatch(/^token: \d{4} bytes$/);
  expect(lines[1]).toMatch(/^verified; realm initial measurement [0-9a-f]{64}$/);
  expect(lines[2]).toBe('user data: example nonce');
  expect(lines[3]).toMatch(/^sealed \d+ bytes; unsealed: the secret$/);
  expect(lines[4]).toBe('another realm cannot unseal it: SDK_SEALED_INVALID');
});
