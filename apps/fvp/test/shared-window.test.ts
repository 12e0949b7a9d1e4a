/**
 * The shared window of a service realm: NS pages the host maps in the realm's unprotected IPA half,
 * which the realm reaches through stage 2. The guest API reads and writes them (and an unmapped
 * unprotected page aborts); a service realm moves its bulk bytes through them, streaming what
 * does not fit; what the realm copied cannot be changed by the host; a realm refuses a window
 * outside its unprotected half; and every granule goes back to the allocator on close.
 * @module
 */
import { equalBytes } from '@islet/arch';
import { GranuleAllocator, launchRealm, runRealm } from '@islet/host';
import { afterAll, describe, expect, test } from 'vitest';
import { FvpRealmSdk } from '../src/fvp-realm-sdk.ts';
import { bootPlatform } from '../src/platform.ts';
import { runRealmApp } from '../src/realm-app.ts';
import { SERVICE_LOOP, SERVICE_MESSAGE_MAX, ServiceRealm } from '../src/service-realm.ts';
import { errorCode } from './support/error-code.ts';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
/** The first unprotected IPA of the default 40-bit realm. */
const HALF = 2n ** 39n;
/** `length` bytes that differ from page to page. */
const pattern = (length: number, seed = 1): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (i * 31 + Math.floor(i / 4096) * 7 + seed) & 0xff);

/** An echo service whose handler prints before it returns: the host gets an exit there. */
const ECHO = `${SERVICE_LOOP}serve((req) => {
  console.log('copied');
  return req;
});
`;
/** The same, but the handler reads the window itself after the print (what the loop must not do). */
const LAZY = `${SERVICE_LOOP}serve((req) => {
  console.log('copied');
  return memory.read(memory.sharedBase(), req.length);
});
`;

describe('the unprotected IPA half through the guest API', () => {
  test('reads and writes the NS pages the host mapped; an unmapped page aborts', () => {
    const platform = bootPlatform();
    try {
      const allocator = new GranuleAllocator(platform.host.dram);
      const program = `
        const base = memory.sharedBase();
        console.log('base ' + base.toString(16));
        console.log('read ' + text.decode(memory.read(base + 0x1000, 5)));
        memory.write(base + 0x1ff8, text.encode('from the realm'));
        let bulk;
        try { memory.read(base + 0x3000, 16); bulk = 'read'; } catch (e) { bulk = e.code; }
        console.log('unmapped bulk ' + bulk);
        console.log('unmapped mmio ' + mmio.read(base + 0x3000, 4));
      `;
      const realm = launchRealm(platform.host, { image: encode(program) }, { allocator });
      const one = realm.mapUnprotected(HALF + 0x1000n);
      const two = realm.mapUnprotected(HALF + 0x2000n);
      platform.host.memory.write(one, encode('hello'));
      const lines: string[] = [];
      const run = runRealm(platform.host, realm, {
        console: (b) => lines.push(new TextDecoder().decode(b)),
      });
      expect(run.reason).toBe('system-off');
      expect(lines.join('')).toBe(
        'base 8000000000\nread hello\nunmapped bulk GUEST_SEA\nunmapped mmio 0\n',
      );
      // The write crossed from one shared page into the next, each an NS granule the host reads.
      const written = new Uint8Array([
        ...platform.host.memory.read(one + 0xff8n, 8),
        ...platform.host.memory.read(two, 6),
      ]);
      expect(new TextDecoder().decode(written)).toBe('from the realm');
      expect(realm.unprotected.map((u) => u.ipa)).toEqual([HALF + 0x1000n, HALF + 0x2000n]);
      realm.destroy();
      expect(allocator.inUse).toBe(0);
    } finally {
      platform.close();
    }
  });
});

describe('a service realm’s shared window', () => {
  const sdk = new FvpRealmSdk({ identity: 'window' });
  afterAll(() => sdk.close());

  test.each([
    [1 << 20, 1],
    [4 << 20, 2],
  ])('seals and unseals %i bytes in the realm through the window', (size, seed) => {
    const data = pattern(size, seed);
    const started = performance.now();
    const blob = sdk.seal(data);
    const back = sdk.unseal(blob);
    const took = performance.now() - started;
    expect(blob.length).toBe(size + 20 + 16); // header and tag
    expect(equalBytes(back, data)).toBe(true);
    // Was some 2.5 s for 1 MiB at 232 bytes a host call; now a few host calls a window-full.
    expect(took).toBeLessThan(size * 2e-3); // 2 s a MiB
  });

  test('streams what does not fit: a one-page window moves three pages each way', () => {
    const echo = new ServiceRealm(ECHO, 'the echo realm', { windowPages: 1 });
    try {
      expect(echo.window.size).toBe(4096);
      expect(echo.window.ipa).toBe(HALF);
      const request = pattern(3 * 4096 + 100);
      expect(echo.call(request)).toEqual(request);
      expect(echo.call(new Uint8Array(0))).toEqual(new Uint8Array(0));
    } finally {
      echo.close();
    }
  });

  test('the host changing the window after the realm copied the request changes nothing', () => {
    const scribble = () => windowed.window.write(new Uint8Array(4096).fill(0xee));
    const windowed: ServiceRealm = new ServiceRealm(ECHO, 'the echo realm', {
      windowPages: 2,
      console: scribble,
    });
    const lazy: ServiceRealm = new ServiceRealm(LAZY, 'the lazy realm', {
      windowPages: 2,
      console: () => lazy.window.write(new Uint8Array(4096).fill(0xee)),
    });
    try {
      const request = pattern(5000);
      // The handler runs on the realm's private copy: the scribble lands after it was taken.
      expect(windowed.call(request)).toEqual(request);
      // A handler that reads the window again sees the host's bytes: the scribble is real.
      const seen = lazy.call(request);
      expect(seen.subarray(0, 4096).every((b) => b === 0xee)).toBe(true);
    } finally {
      windowed.close();
      lazy.close();
    }
  });

  test('every granule of the realm and its window goes back to the allocator on close', () => {
    const service = new ServiceRealm(ECHO, 'the echo realm');
    expect(service.window.pages).toHaveLength(257);
    expect(new Set(service.window.pages).size).toBe(257);
    expect(service.granulesInUse).toBeGreaterThan(257);
    expect(service.call(encode('x'))).toEqual(encode('x'));
    service.close();
    expect(service.granulesInUse).toBe(0);
    expect(errorCode(() => service.call(encode('x')))).toBe('SDK_BACKEND_FAILED');
  });

  test('limits: the host refuses a request above the maximum; so does the SDK', () => {
    const service = new ServiceRealm(ECHO, 'the echo realm', { windowPages: 1 });
    try {
      expect(errorCode(() => service.call(new Uint8Array(SERVICE_MESSAGE_MAX + 1)))).toBe(
        'SDK_ARGUMENT_INVALID',
      );
    } finally {
      service.close();
    }
    expect(() => new ServiceRealm(ECHO, 'x', { windowPages: 0 })).toThrow(RangeError);
    expect(errorCode(() => sdk.seal(new Uint8Array((1 << 24) + 1)))).toBe('SDK_ARGUMENT_INVALID');
  });
});

describe('the realm’s side refuses a hostile window', () => {
  /** The request header of the module doc. */
  const header = (length: number, n: number, ipa: bigint, size: number): Uint8Array => {
    const h = new Uint8Array(20);
    const v = new DataView(h.buffer);
    v.setUint32(0, length, true);
    v.setUint32(4, n, true);
    v.setBigUint64(8, ipa, true);
    v.setUint32(16, size, true);
    return h;
  };
  const platform = bootPlatform();
  afterAll(() => platform.close());

  test.each([
    ['in the protected half', header(1, 1, 0x1000n, 4096)],
    ['of no pages', header(1, 0, HALF, 0)],
    ['past the top of the IPA space', header(1, 1, 2n * HALF - 4096n, 8192)],
    ['unaligned', header(1, 1, HALF + 8n, 4096)],
    ['not mapped (its bulk reads and writes abort)', header(16, 16, HALF, 4096)],
    ['with a short header', header(1, 1, HALF, 4096).subarray(0, 16)],
  ])('a window %s: status 2, and nothing read', (_, head) => {
    const app = runRealmApp(
      platform,
      { image: encode(ECHO) },
      { inbound: head, maxExits: 200, console: () => undefined },
    );
    expect(app.run.reason).toBe('exit-limit');
    expect([...app.sent]).toEqual([2, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(app.console).not.toContain('copied');
  });
});
