import { decodeRealmParams, decodeRecParams, packReturnCode, RmiStatus } from '@islet/abi';
import { describe, expect, test } from 'vitest';
import { GranuleAllocator, launchRealm } from '../src/index.ts';
import { fakePorts } from './fake-ports.ts';

const image = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff);
/** Collapses runs of the same command: `NAME×n`. */
const runs = (names: readonly string[]): string[] => {
  const out: string[] = [];
  let count = 0;
  names.forEach((n, i) => {
    count++;
    if (names[i + 1] !== n) {
      out.push(count > 1 ? `${n}×${count}` : n);
      count = 0;
    }
  });
  return out;
};

describe('launchRealm (against a recording fake)', () => {
  test('issues the launch in order, then tears down in reverse (data pages in IPA order)', () => {
    const ports = fakePorts();
    const progress: [number, number][] = [];
    const allocator = new GranuleAllocator(ports.dram);
    const realm = launchRealm(
      ports,
      { image, memorySize: 0x40_0000, vcpus: 2 },
      { allocator, onProgress: (d, t) => progress.push([d, t]) },
    );
    const launch = ports.calls.map((c) => c.name.replace('RMI_', ''));
    expect(runs(launch)).toEqual([
      'GRANULE_DELEGATE×3', // RD, two roots
      'REALM_CREATE',
      'GRANULE_DELEGATE',
      'RTT_CREATE', // L2 @0
      'RTT_INIT_RIPAS×2', // the fake advances 2 MiB per call
      'GRANULE_DELEGATE',
      'RTT_CREATE', // L3 @0, under the image, after RIPAS
      'GRANULE_DELEGATE',
      'DATA_CREATE',
      'GRANULE_DELEGATE',
      'DATA_CREATE',
      'REC_AUX_COUNT',
      'GRANULE_DELEGATE×17',
      'REC_CREATE',
      'GRANULE_DELEGATE×17',
      'REC_CREATE',
      'REALM_ACTIVATE',
    ]);
    expect(progress).toEqual([
      [1, 2],
      [2, 2],
    ]);
    const rttCreates = ports.calls.filter((c) => c.name === 'RMI_RTT_CREATE');
    expect(rttCreates.map((c) => c.args.slice(2))).toEqual([
      [0n, 2n],
      [0n, 3n],
    ]);
    expect(rttCreates.map((c) => c.args[1])).toEqual(realm.rtts);
    expect(
      ports.calls.filter((c) => c.name === 'RMI_RTT_INIT_RIPAS').map((c) => c.args.slice(1)),
    ).toEqual([
      [0n, 0x40_0000n],
      [0x20_0000n, 0x40_0000n],
    ]);
    expect(realm.granules).toHaveLength(3 + 2 + 2 + 34);
    expect(new Set(realm.granules).size).toBe(realm.granules.length);
    // Each REC has an NS run page (not delegated) for REC_ENTER.
    const runPages = realm.recs.map((r) => r.run);
    expect(new Set(runPages).size).toBe(2);
    for (const run of runPages) {
      expect(realm.granules).not.toContain(run);
      expect(allocator.isAllocated(run)).toBe(true);
    }
    expect(allocator.inUse).toBe(realm.granules.length + 2);

    // What the RMM would read from the NS pages.
    const realmParams = decodeRealmParams(ports.writes[0]!.bytes);
    expect(realmParams).toMatchObject({
      s2sz: 40,
      rttBase: realm.rttBase,
      vmid: 1,
      rttNumStart: 2,
    });
    const create = ports.calls.find((c) => c.name === 'RMI_REALM_CREATE')!;
    expect(create.args).toEqual([realm.rd, ports.writes[0]!.pa]);
    expect(ports.writes[1]!.bytes).toEqual(image.subarray(0, 0x1000));
    const rec0 = decodeRecParams(ports.writes[3]!.bytes);
    expect(rec0).toMatchObject({ flags: 1n, pc: 0n, numAux: 16, aux: realm.recs[0]!.aux });
    // The boot registers: X0 = image length, X1 = memory size.
    expect(rec0.gprs).toEqual([5000n, 0x40_0000n, 0n, 0n, 0n, 0n, 0n, 0n]);
    expect(decodeRecParams(ports.writes[4]!.bytes)).toMatchObject({ flags: 0n, mpidr: 1n });
    const dataArgs = ports.calls.filter((c) => c.name === 'RMI_DATA_CREATE').map((c) => c.args);
    expect(dataArgs.map((a) => [a[1], a[2], a[4]])).toEqual([
      [realm.data[0], 0n, 1n],
      [realm.data[1], 0x1000n, 1n],
    ]);

    ports.calls.length = 0;
    realm.destroy();
    expect(runs(ports.calls.map((c) => c.name.replace('RMI_', '')))).toEqual([
      'DATA_DESTROY×2',
      'REC_DESTROY×2',
      'RTT_DESTROY×2',
      'REALM_DESTROY',
      `GRANULE_UNDELEGATE×${realm.granules.length}`,
    ]);
    const dataDestroys = ports.calls.filter((c) => c.name === 'RMI_DATA_DESTROY');
    expect(dataDestroys.map((c) => c.args[1])).toEqual([0n, 0x1000n]);
    const rttDestroys = ports.calls.filter((c) => c.name === 'RMI_RTT_DESTROY');
    expect(rttDestroys.map((c) => [c.args[1], c.args[2]])).toEqual([
      [0n, 3n],
      [0n, 2n],
    ]);
    expect(new Set(ports.calls.slice(-realm.granules.length).map((c) => c.args[0]))).toEqual(
      new Set(realm.granules),
    );
    expect(allocator.inUse).toBe(0);
    ports.calls.length = 0;
    realm.destroy();
    expect(ports.calls).toEqual([]);
  });

  test('a partial last block: its level-3 table before RIPAS; the data tables after it', () => {
    const ports = fakePorts();
    // 4 MiB + 8 KiB of RAM, the 5000-byte image at 2 MiB + 4 KiB.
    const realm = launchRealm(ports, { image, memorySize: 0x40_2000, imageBase: 0x20_1000 });
    const rmi = ports.calls.filter((c) =>
      ['RMI_RTT_CREATE', 'RMI_RTT_INIT_RIPAS', 'RMI_DATA_CREATE'].includes(c.name),
    );
    expect(
      rmi.map((c) => [
        c.name.replace('RMI_', ''),
        ...(c.name === 'RMI_DATA_CREATE'
          ? [c.args[2]]
          : c.args.slice(c.name === 'RMI_RTT_CREATE' ? 2 : 1)),
      ]),
    ).toEqual([
      ['RTT_CREATE', 0n, 2n],
      ['RTT_CREATE', 0x40_0000n, 3n],
      ['RTT_INIT_RIPAS', 0n, 0x40_2000n],
      ['RTT_INIT_RIPAS', 0x20_0000n, 0x40_2000n],
      ['RTT_INIT_RIPAS', 0x40_0000n, 0x40_2000n],
      ['RTT_CREATE', 0x20_0000n, 3n],
      ['DATA_CREATE', 0x20_1000n],
      ['DATA_CREATE', 0x20_2000n],
    ]);
    expect(realm.rtts).toHaveLength(3);
    ports.calls.length = 0;
    realm.destroy();
    expect(
      ports.calls.filter((c) => c.name === 'RMI_RTT_DESTROY').map((c) => c.args.slice(1)),
    ).toEqual([
      [0x20_0000n, 3n],
      [0x40_0000n, 3n],
      [0n, 2n],
    ]);
  });

  test('a refused REALM_ACTIVATE frees the run pages too', () => {
    const ports = fakePorts();
    ports.answer = (c) =>
      c.name === 'RMI_REALM_ACTIVATE' ? [packReturnCode(RmiStatus.ErrorRealm, 0)] : undefined;
    const granules = new GranuleAllocator(ports.dram);
    expect(() => launchRealm(ports, { image, vcpus: 3 }, { allocator: granules })).toThrowError(
      expect.objectContaining({ command: 'RMI_REALM_ACTIVATE' }),
    );
    expect(granules.inUse).toBe(0);
  });

  test('createRtts and dataCreateUnknown check the IPA and refuse a destroyed realm', () => {
    const ports = fakePorts();
    const realm = launchRealm(ports, { image, ipaBits: 32 });
    for (const ipa of [0x8000_0000n, 0x1800n, -0x1000n]) {
      expect(() => realm.dataCreateUnknown(ipa)).toThrowError(
        expect.objectContaining({ code: 'HOST_IPA_INVALID' }),
      );
    }
    for (const level of [1, 4, 2.5]) {
      expect(() => realm.createRtts(0x4000_0000n, level)).toThrowError(
        expect.objectContaining({ code: 'HOST_IPA_INVALID' }),
      );
    }
    // The unprotected half is 2^31..2^32: protected, unaligned, past the top are refused.
    for (const ipa of [0x1000n, 0x8000_0800n, 0x1_0000_0000n]) {
      expect(() => realm.mapUnprotected(ipa)).toThrowError(
        expect.objectContaining({ code: 'HOST_IPA_INVALID' }),
      );
    }
    expect(() => realm.unmapUnprotected(0x8000_0000n)).toThrowError(
      expect.objectContaining({ code: 'HOST_IPA_INVALID' }),
    );
    for (const ipa of [0x1_0000_0000n, -0x1000n]) {
      expect(() => realm.createRtts(ipa, 3)).toThrowError(
        expect.objectContaining({ code: 'HOST_IPA_INVALID' }),
      );
    }
    realm.destroy();
    expect(() => realm.dataCreateUnknown(0x1000n)).toThrowError(
      expect.objectContaining({ code: 'HOST_REALM_DESTROYED' }),
    );
    expect(() => realm.mapUnprotected(0x8000_0000n)).toThrowError(
      expect.objectContaining({ code: 'HOST_REALM_DESTROYED' }),
    );
  });

  test('mapUnprotected shares zeroed NS pages, creating the RTTs of the unprotected half', () => {
    const ports = fakePorts();
    const allocator = new GranuleAllocator(ports.dram);
    const realm = launchRealm(ports, { image, ipaBits: 32 }, { allocator });
    const held = allocator.inUse;
    const top = 0x8000_0000n; // the unprotected half of a 32-bit realm starts at 2^31
    // The RMM's walk stops at the root (level 1) under 2^31 until the tables exist.
    let mapped = false;
    ports.answer = (c) => {
      if (c.name === 'RMI_RTT_CREATE' && c.args[3] === 3n) mapped = true;
      if (c.name !== 'RMI_RTT_MAP_UNPROTECTED' || mapped) return undefined;
      return [packReturnCode(RmiStatus.ErrorRtt, 1)];
    };
    ports.calls.length = 0;
    const pa = realm.mapUnprotected(top + 0x1000n);
    expect(ports.calls.map((c) => c.name.replace('RMI_', ''))).toEqual([
      'RTT_MAP_UNPROTECTED',
      'GRANULE_DELEGATE',
      'RTT_CREATE',
      'GRANULE_DELEGATE',
      'RTT_CREATE',
      'RTT_MAP_UNPROTECTED',
    ]);
    const creates = ports.calls.filter((c) => c.name === 'RMI_RTT_CREATE');
    expect(creates.map((c) => c.args.slice(2))).toEqual([
      [top, 2n],
      [top, 3n],
    ]);
    // X4: the PA | MemAttr Normal WB (0b110 << 2) | S2AP RW (0b11 << 6); level 3.
    const map = ports.calls.at(-1)!;
    expect(map.args).toEqual([realm.rd, top + 0x1000n, 3n, pa | 0xd8n]);
    // Not delegated, zeroed for the realm, and listed.
    expect(realm.granules).not.toContain(pa);
    expect(ports.writes.at(-1)).toEqual({ pa, bytes: new Uint8Array(0x1000) });
    expect(realm.unprotected).toEqual([{ ipa: top + 0x1000n, pa }]);
    expect(allocator.inUse).toBe(held + 3); // the page and two RTTs

    const second = realm.mapUnprotected(top + 0x2000n);
    ports.calls.length = 0;
    realm.unmapUnprotected(top + 0x2000n);
    expect(ports.calls.map((c) => [c.name, ...c.args.slice(1)])).toEqual([
      ['RMI_RTT_UNMAP_UNPROTECTED', top + 0x2000n, 3n],
    ]);
    expect(allocator.isAllocated(second)).toBe(false);
    expect(() => realm.unmapUnprotected(top + 0x2000n)).toThrowError(
      expect.objectContaining({ code: 'HOST_IPA_INVALID' }),
    );

    // Teardown unmaps what is shared before it destroys the RTTs, and frees every granule.
    ports.calls.length = 0;
    realm.destroy();
    const names = ports.calls.map((c) => c.name);
    const unmap = names.indexOf('RMI_RTT_UNMAP_UNPROTECTED');
    expect(unmap).toBeGreaterThan(-1);
    expect(unmap).toBeLessThan(names.indexOf('RMI_RTT_DESTROY'));
    expect(ports.calls[unmap]!.args.slice(1)).toEqual([top + 0x1000n, 3n]);
    expect(
      ports.calls.filter((c) => c.name === 'RMI_RTT_DESTROY').map((c) => c.args.slice(1, 3)),
    ).toContainEqual([top, 2n]);
    expect(realm.unprotected).toEqual([]);
    expect(allocator.inUse).toBe(0);
  });

  test('a refused RTT_MAP_UNPROTECTED frees its granule', () => {
    const ports = fakePorts();
    const allocator = new GranuleAllocator(ports.dram);
    const realm = launchRealm(ports, { image, ipaBits: 32 }, { allocator });
    const held = allocator.inUse;
    ports.answer = (c) =>
      c.name === 'RMI_RTT_MAP_UNPROTECTED' ? [packReturnCode(RmiStatus.ErrorRtt, 3)] : undefined;
    expect(() => realm.mapUnprotected(0x8000_0000n)).toThrowError(
      expect.objectContaining({ code: 'HOST_RMI_FAILED', index: 3 }),
    );
    expect(allocator.inUse).toBe(held);
    expect(realm.unprotected).toEqual([]);
    realm.destroy();
    expect(allocator.inUse).toBe(0);
  });

  test('a destroy refused half-way resumes where it stopped when called again', () => {
    const ports = fakePorts();
    const granules = new GranuleAllocator(ports.dram);
    const realm = launchRealm(ports, { image }, { allocator: granules });
    let refuse = true;
    ports.answer = (c) => {
      if (c.name === 'RMI_DATA_DESTROY' && c.args[1] === 0x1000n && refuse) {
        refuse = false;
        return [packReturnCode(RmiStatus.ErrorInput)];
      }
      return undefined;
    };
    ports.calls.length = 0;
    expect(() => realm.destroy()).toThrowError(
      expect.objectContaining({ code: 'HOST_RMI_FAILED', command: 'RMI_DATA_DESTROY' }),
    );
    realm.destroy();
    const destroyed = ports.calls
      .filter((c) => c.name === 'RMI_DATA_DESTROY')
      .map((c) => c.args[1]);
    // Page 0 once, page 1 refused then done: each mapped page is destroyed exactly once.
    expect(destroyed).toEqual([0n, 0x1000n, 0x1000n]);
    expect(granules.inUse).toBe(0);
  });

  test('a refused step tears down what was built and frees every granule', () => {
    const ports = fakePorts();
    ports.answer = (c) =>
      c.name === 'RMI_DATA_CREATE' && c.args[2] === 0x1000n
        ? [packReturnCode(RmiStatus.ErrorRtt, 2)]
        : undefined;
    const granules = new GranuleAllocator(ports.dram);
    expect(() => launchRealm(ports, { image }, { allocator: granules })).toThrowError(
      expect.objectContaining({ code: 'HOST_RMI_FAILED', command: 'RMI_DATA_CREATE', index: 2 }),
    );
    expect(granules.inUse).toBe(0);
    const names = ports.calls.map((c) => c.name);
    const after = names.slice(names.lastIndexOf('RMI_DATA_CREATE') + 1);
    expect(runs(after.map((n) => n.replace('RMI_', '')))).toEqual([
      'DATA_DESTROY', // only the page that was mapped
      'RTT_DESTROY×2',
      'REALM_DESTROY',
      'GRANULE_UNDELEGATE×7',
    ]);
  });
});
