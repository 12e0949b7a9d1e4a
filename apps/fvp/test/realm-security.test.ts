/**
 * The security properties of running realms, on the whole platform (GPT, MMU, monitor, RMM,
 * worker vCPUs): the host cannot read or write realm memory, cannot map a realm's granule into a
 * realm's unprotected space, gets realm memory back only zeroed; one realm cannot reach another's
 * memory; the challenge a realm asks for is the one in its token; a realm program cannot reach
 * Node's globals or the host's objects.
 * @module
 */
import { Gpi, GranuleState } from '@islet/abi';
import { defaultCrypto, physAddr, toHex } from '@islet/arch';
import { GranuleAllocator, launchRealm, RmiCallError, RmiDriver, runRealm } from '@islet/host';
import { GranuleProtectionFault } from '@islet/mmu';
import { verifyCcaToken } from '@islet/token';
import { afterAll, describe, expect, test } from 'vitest';
import { bootPlatform } from '../src/platform.ts';
import { runRealmApp } from '../src/realm-app.ts';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const PAGE = 0x1000n;
/** The IPA where the programs below keep their secret: RAM past the image, faulted in. */
const SECRET_IPA = 0x10_0000;
const SECRET = 'the realm secret: 7d0c3f1e';
/** Descriptor attributes of an unprotected mapping (MemAttr normal, S2AP read-write). */
const NS_ATTRS = (0b110n << 2n) | (0b11n << 6n);

describe('realm security', () => {
  const platform = bootPlatform();
  const allocator = new GranuleAllocator(platform.host.dram);
  afterAll(() => platform.close());
  /** The data granule of `realm` whose first bytes are {@link SECRET} (read through the Realm PAS). */
  const secretPageOf = (realm: { readonly data: readonly bigint[] }): bigint => {
    const page = realm.data.find((d) =>
      new TextDecoder()
        .decode(platform.parts.memory.realm.read(physAddr(d), SECRET.length))
        .startsWith(SECRET),
    );
    expect(page, 'a data granule holds the secret').toBeDefined();
    return page!;
  };

  test('the host faults on every granule of a live realm, and its writes change nothing', () => {
    const app = runRealmApp(
      platform,
      { image: encode(`memory.write(${SECRET_IPA}, text.encode(${JSON.stringify(SECRET)}));`) },
      { keep: true, allocator },
    );
    expect(app.run.exitStatus).toBe(0);
    const realm = app.realm;
    const realmPort = platform.parts.memory.realm;
    const owned = realm.granules.filter((g) => platform.inspect.granule(g).gpi === Gpi.Realm);
    expect(owned.length).toBe(realm.granules.length);
    for (const g of owned) {
      const before = realmPort.read(physAddr(g), 0x1000);
      expect(() => platform.host.memory.read(g, 16)).toThrow(GranuleProtectionFault);
      expect(() => platform.host.memory.write(g, new Uint8Array(16).fill(0xee))).toThrow(
        GranuleProtectionFault,
      );
      expect(realmPort.read(physAddr(g), 0x1000)).toEqual(before);
    }
    // The secret is in realm memory (read through the Realm PAS, as the RMM would).
    secretPageOf(realm);

    // Destroyed: every granule is Non-secure, undelegated and zero, the secret gone.
    realm.destroy();
    for (const g of realm.granules) {
      expect(platform.inspect.granule(g)).toMatchObject({
        gpi: Gpi.NonSecure,
        rmmState: GranuleState.Undelegated,
      });
      expect(platform.host.memory.read(g, 0x1000).every((b) => b === 0)).toBe(true);
    }
  });

  test('a delegated or realm-owned granule mapped as unprotected memory stays out of reach', () => {
    // RMI_RTT_MAP_UNPROTECTED checks the descriptor, not the granule it names (§2.15): what stops
    // the host from exposing realm memory that way is the GPT. An unprotected mapping is an
    // access to the Non-secure PAS, which a Realm-PAS granule refuses: the realm takes an
    // external abort, and no byte of the granule is read.
    const owner = runRealmApp(
      platform,
      { image: encode(`memory.write(${SECRET_IPA}, text.encode(${JSON.stringify(SECRET)}));`) },
      { keep: true, allocator, vmid: 2 },
    );
    const unprotected = 1n << 39n; // the top bit of the 40-bit IPA space
    const probe = `
      for (let i = 0; i < 4; i++) {
        let r;
        try { r = text.decode(memory.read(2 ** 39 + i * 0x1000, 25)); } catch (e) { r = 'fault ' + e.code; }
        console.log('page ' + i + ': ' + r);
      }
    `;
    const realm = launchRealm(platform.host, { image: encode(probe) }, { allocator, vmid: 5 });
    const rmi = new RmiDriver(platform.host);
    // Level 1 is the (concatenated) root: a level-2 and a level-3 table reach a page.
    const tables = [allocator.alloc(), allocator.alloc()];
    for (const t of tables) rmi.delegate(t);
    rmi.rttCreate(realm.rd, tables[0]!, unprotected, 2);
    rmi.rttCreate(realm.rd, tables[1]!, unprotected, 3);
    const delegated = allocator.alloc();
    rmi.delegate(delegated);
    const shared = allocator.alloc();
    platform.host.memory.write(shared, encode('a page the host shares...'));
    const secretPage = secretPageOf(owner.realm);
    const mapped = [delegated, secretPage, realm.data[0]!, shared];
    mapped.forEach((pa, i) => {
      rmi.rttMapUnprotected(realm.rd, unprotected + BigInt(i) * PAGE, 3, pa | NS_ATTRS);
    });
    const lines: string[] = [];
    const run = runRealm(platform.host, realm, {
      console: (b) => lines.push(new TextDecoder().decode(b)),
    });
    expect(run.reason).toBe('system-off');
    const out = lines.join('');
    expect(out).toContain('page 0: fault GUEST_SEA');
    expect(out).toContain('page 1: fault GUEST_SEA');
    expect(out).toContain('page 2: fault GUEST_SEA');
    expect(out).toContain('page 3: a page the host shares');
    expect(out).not.toContain(SECRET);
    // The host cannot read them either, and the owner's secret is intact.
    for (const pa of [delegated, secretPage]) {
      expect(() => platform.host.memory.read(pa, 16)).toThrow(GranuleProtectionFault);
    }
    const secret = platform.parts.memory.realm.read(physAddr(secretPage), SECRET.length);
    expect(new TextDecoder().decode(secret)).toBe(SECRET);

    mapped.forEach((_, i) => {
      rmi.rttUnmapUnprotected(realm.rd, unprotected + BigInt(i) * PAGE, 3);
    });
    rmi.rttDestroy(realm.rd, unprotected, 3);
    rmi.rttDestroy(realm.rd, unprotected, 2);
    for (const t of [...tables, delegated]) rmi.undelegate(t);
    realm.destroy();
    owner.realm.destroy();
    for (const g of [...tables, delegated, shared]) allocator.free(g);
  });

  test('one realm cannot reach another realm’s memory', () => {
    const a = runRealmApp(
      platform,
      { image: encode(`memory.write(${SECRET_IPA}, text.encode(${JSON.stringify(SECRET)}));`) },
      { keep: true, allocator, vmid: 3 },
    );
    const secretPa = secretPageOf(a.realm);
    // Realm B scans everything it can address: its own RAM (no secret of A), IPAs past its RAM
    // (RIPAS EMPTY: an external abort in B), and the unprotected half (no device: an SEA).
    const probe = `
      const look = (ipa, n) => {
        try { return text.decode(memory.read(ipa, n)); } catch (e) { return 'fault ' + e.code; }
      };
      let found = 0;
      for (let ipa = 0; ipa < memory.size; ipa += 0x1000) {
        if (look(ipa, 64).includes(${JSON.stringify(SECRET)})) found++;
      }
      console.log('own RAM pages with the secret: ' + found);
      console.log('past RAM: ' + look(memory.size, 16));
      console.log('unprotected: ' + look(2 ** 39 + ${Number(secretPa)}, 16));
      console.log('unprotected 0: ' + look(2 ** 39, 16));
    `;
    const b = runRealmApp(platform, { image: encode(probe) }, { keep: true, allocator, vmid: 4 });
    expect(b.console).toContain('own RAM pages with the secret: 0');
    expect(b.console).toContain('past RAM: fault GUEST_SEA');
    expect(b.console).toContain('unprotected: fault GUEST_SEA');
    expect(b.console).toContain('unprotected 0: fault GUEST_SEA');
    expect(b.console).not.toContain(SECRET);
    expect(b.run.exits['inject-sea']).toBeGreaterThanOrEqual(2);

    // The host cannot hand A's granule to B either: not as data, not as unprotected memory.
    const rmi = new RmiDriver(platform.host);
    expect(() =>
      rmi.dataCreateUnknown(b.realm.rd, secretPa, BigInt(SECRET_IPA) + 0x10_0000n),
    ).toThrow(RmiCallError);
    a.realm.destroy();
    b.realm.destroy();
  });

  test('the challenge a realm asks for is the one in its token (RSI and configfs-tsm)', () => {
    const program = `
      const c = host.challenge();
      host.send(rsi.attestationToken(c));
      tsm.create('r');
      tsm.write('r', 'inblob', c.subarray(0, 32));
      host.send(tsm.read('r', 'outblob'));
    `;
    const challenge = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);
    const app = runRealmApp(
      platform,
      { image: encode(program) },
      { challenge: () => challenge, allocator },
    );
    expect(app.run.exitStatus).toBe(0);
    // Two tokens back to back: split them where the second COSE tag starts (0xd9 0x01 0x8f).
    const sent = app.sent;
    let at = 3;
    while (!(sent[at] === 0xd9 && sent[at + 1] === 0x01 && sent[at + 2] === 0x8f)) at++;
    const verify = (token: Uint8Array) =>
      verifyCcaToken(token, { cpak: platform.boot.cpakPublicKey, crypto: defaultCrypto() });
    expect(toHex(verify(sent.subarray(0, at)).realm.challenge)).toBe(toHex(challenge));
    const padded = new Uint8Array(64);
    padded.set(challenge.subarray(0, 32));
    expect(toHex(verify(sent.subarray(at)).realm.challenge)).toBe(toHex(padded));
  });

  test('a realm program cannot reach Node’s globals or the host’s objects', () => {
    const program = `
      const probe = (name, f) => {
        let r;
        try { r = f(); } catch (e) { r = 'threw ' + (e && e.name); }
        console.log(name + ': ' + String(r));
      };
      probe('process', () => typeof process);
      probe('require', () => typeof require);
      probe('globalThis.global', () => typeof globalThis.global);
      probe('Buffer', () => typeof Buffer);
      probe('setTimeout', () => typeof setTimeout);
      probe('constructor escape', () => this.constructor.constructor('return process')());
      probe('API escape', () => rsi.measurementRead.constructor('return process')());
      probe('result escape', () => rsi.measurementRead(0).constructor.constructor('return process')());
      probe('error escape', () => { try { memory.read(-1, 1); } catch (e) { return e.constructor.constructor('return process')(); } });
      probe('eval', () => eval('1 + 1'));
      probe('globals', () => Object.getOwnPropertyNames(globalThis).filter((n) => /^[a-z]/.test(n)).sort().join(','));
    `;
    const app = runRealmApp(platform, { image: encode(program) }, { allocator });
    const lines = app.console.split('\n');
    expect(lines).toContain('process: undefined');
    expect(lines).toContain('require: undefined');
    expect(lines).toContain('globalThis.global: undefined');
    expect(lines).toContain('Buffer: undefined');
    expect(lines).toContain('setTimeout: undefined');
    for (const name of [
      'constructor escape',
      'API escape',
      'result escape',
      'error escape',
      'eval',
    ]) {
      expect(lines, name).toContain(`${name}: threw EvalError`);
    }
    const globals = lines
      .find((l) => l.startsWith('globals: '))!
      .slice('globals: '.length)
      .split(',');
    for (const api of ['console', 'hex', 'host', 'memory', 'psci', 'rsi', 'smc', 'tsm', 'vcpu']) {
      expect(globals).toContain(api);
    }
    const node = ['process', 'require', 'module', 'exports', 'global', 'setTimeout'];
    node.push('setImmediate', 'queueMicrotask', 'structuredClone', 'fetch', 'performance');
    for (const name of node) expect(globals).not.toContain(name);
  });
});
