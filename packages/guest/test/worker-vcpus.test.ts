/**
 * The worker-thread vCPUs driven by a fake RMM through `RealmExecutor.resume`: programs that
 * print, measure, attest, touch MMIO, fault on first touch, take an injected SEA, and start a
 * secondary vCPU. Needs the package built (`dist/vcpu/worker.js`).
 * @module
 */
import { decodeDataAbortEsr, SMC_RSI_HOST_CALL, SMC_RSI_VERSION } from '@islet/abi';
import { toHex } from '@islet/arch';
import { describe, expect, test } from 'vitest';
import { ACCESS_REGISTER, WorkerVcpus } from '../src/index.ts';
import { FakeRealm, fakeToken, MMIO_BASE, PAGE, SEALING_KEY_WORDS } from './fake-platform.ts';

const aborts = (realm: FakeRealm) =>
  realm.traps.flatMap(({ trap }) =>
    trap.kind === 'dataAbort'
      ? [{ ...decodeDataAbortEsr(trap.esr), far: trap.far, hpfar: trap.hpfar }]
      : [],
  );

describe('WorkerVcpus', () => {
  test('a program prints, and its end is an Exit host call and SYSTEM_OFF', () => {
    const realm = new FakeRealm(`
      console.log('hello from vCPU', vcpu.index, rsi.abiVersion());
      console.error('ünïcödé', 42n, new Uint8Array([1, 2, 255]));
    `);
    realm.runOnWorkers();
    expect(realm.console).toBe(
      'hello from vCPU 0 {"major":1,"minor":0}\nünïcödé 42n Uint8Array(3) 0102ff\n',
    );
    expect(realm.exitStatus).toBe(0);
    expect(realm.off).toBe(true);
    const first = realm.traps[0]!;
    expect(first.trap).toEqual({ kind: 'smc', fid: SMC_RSI_VERSION });
    // Traps come after the entry PC (the image at IPA 0), one instruction per resume.
    expect(first.pc).toBe(4n);
  });

  test('the first touch of the scratch page faults, the host maps it and the access is retried', () => {
    const realm = new FakeRealm(`console.log('x'.repeat(500));`);
    realm.runOnWorkers();
    expect(realm.console).toBe(`${'x'.repeat(500)}\n`);
    const scratch = Math.ceil(realm.image.length / PAGE) * PAGE;
    const [first, ...rest] = aborts(realm);
    // A 256-byte RsiHostCall write: a bulk copy, no ISV; translation fault at level 3.
    expect(first).toMatchObject({ ec: 0x24, isv: false, write: true, dfsc: 0x07 });
    expect(first!.far).toBe(BigInt(scratch));
    expect(first!.hpfar).toBe(BigInt(scratch / PAGE) << 4n);
    expect(rest).toEqual([]);
    // The faulting access was retried at the same PC: the next trap is the host call after it.
    const i = realm.traps.findIndex((t) => t.trap.kind === 'dataAbort');
    expect(realm.traps[i + 1]!.trap).toEqual({ kind: 'smc', fid: SMC_RSI_HOST_CALL });
    expect(realm.traps[i + 1]!.pc).toBe(realm.traps[i]!.pc + 4n);
    // 500 bytes and a newline: three ConsoleWrites of at most 232 bytes, then Exit and SYSTEM_OFF.
    expect(
      realm.traps.filter((t) => t.trap.kind === 'smc' && t.trap.fid === SMC_RSI_HOST_CALL),
    ).toHaveLength(4);
  });

  test('a transfer larger than the data window is split, and faults in page by page', () => {
    const realm = new FakeRealm(`
      const big = new Uint8Array(0x180000).map((_, i) => i % 251);
      memory.write(0x200000, big);
      const back = memory.read(0x200000, big.length);
      let same = back.length === big.length;
      for (let i = 0; i < big.length && same; i++) same = back[i] === big[i];
      console.log(same);
    `);
    realm.runOnWorkers();
    expect(realm.console).toBe('true\n');
    expect(realm.page(0x37f000)[0xfff]).toBe((0x17ffff % 251) & 0xff);
    expect(aborts(realm).filter((a) => a.far >= 0x200000n)).toHaveLength(0x180);
  });

  test('measurements, realm config (its RSI buffer faults and the SMC re-executes), extend, sealing key', () => {
    const realm = new FakeRealm(`
      const config = rsi.realmConfig();
      console.log(config.ipaWidth, config.hashAlgo, config.rpv.length);
      console.log(hex.encode(rsi.measurementRead(0)));
      rsi.measurementExtend(1, text.encode('hello'));
      console.log(hex.encode(rsi.measurementRead(1)), rsi.measurementRead(4).length);
      console.log(hex.encode(rsi.sealingKey(0x3, 0)));
    `);
    realm.runOnWorkers();
    expect(realm.rsiFaults).toBe(1);
    const lines = realm.console.split('\n');
    expect(lines[0]).toBe('33 0 64');
    expect(lines[1]).toBe(toHex(realm.measurements[0]!.subarray(0, 32)));
    expect(lines[2]).toBe(`${toHex(realm.measurements[1]!.subarray(0, 32))} 32`);
    const key = new Uint8Array(32);
    SEALING_KEY_WORDS.forEach((w, i) => {
      new DataView(key.buffer).setBigUint64(i * 8, w, true);
    });
    expect(lines[3]).toBe(toHex(key));
    expect(realm.exitStatus).toBe(0);
  });

  test('a SHA-512 realm reads 64-byte measurements', () => {
    const realm = new FakeRealm(`console.log(rsi.measurementRead(0).length);`, { hashAlgo: 1 });
    realm.runOnWorkers();
    expect(realm.console).toBe('64\n');
  });

  test('an attestation token comes back whole, through INCOMPLETE chunks', () => {
    const realm = new FakeRealm(`
      const challenge = new Uint8Array(64).map((_, i) => i * 3);
      const token = rsi.attestationToken(challenge);
      console.log(token.length, hex.encode(token.subarray(0, 8)), hex.encode(token.subarray(9990)));
      memory.write(0x80000, token);
    `);
    realm.runOnWorkers();
    const challenge = new Uint8Array(64).map((_, i) => i * 3);
    const expected = fakeToken(challenge);
    expect(realm.console).toBe(
      `10000 ${toHex(expected.subarray(0, 8))} ${toHex(expected.subarray(9990))}\n`,
    );
    const written = new Uint8Array(10_000);
    for (let i = 0; i < written.length; i++)
      written[i] = realm.page(0x80000 + i)[(0x80000 + i) % PAGE]!;
    expect(written).toEqual(expected);
  });

  test('configfs-tsm: inblob bounds, generation, and an outblob equal to the token', () => {
    const realm = new FakeRealm(`
      const show = (f) => { try { return f() } catch (e) { return e.code } };
      tsm.create('r0');
      console.log(show(() => tsm.create('r0')), text.decode(tsm.read('r0', 'provider')).trim());
      console.log(show(() => tsm.write('r0', 'inblob', new Uint8Array(65))));
      tsm.write('r0', 'inblob', new Uint8Array(16));
      console.log(show(() => tsm.read('r0', 'outblob')), text.decode(tsm.read('r0', 'generation')).trim());
      tsm.write('r0', 'inblob', new Uint8Array(40).fill(7));
      const a = tsm.read('r0', 'outblob');
      const b = tsm.read('r0', 'outblob');
      console.log(a.length, hex.encode(a) === hex.encode(b), text.decode(tsm.read('r0', 'generation')).trim());
      console.log(show(() => tsm.read('r0', 'inblob')), show(() => tsm.write('r0', 'outblob', a)));
      tsm.remove('r0');
      console.log(show(() => tsm.read('r0', 'generation')));
    `);
    realm.runOnWorkers();
    expect(realm.console.split('\n')).toEqual([
      'GUEST_TSM_EEXIST arm_cca_guest',
      'GUEST_TSM_EFBIG',
      'GUEST_TSM_EINVAL 1',
      '10000 true 2',
      'GUEST_TSM_EACCES GUEST_TSM_EACCES',
      'GUEST_TSM_ENOENT',
      '',
    ]);
    // The cached outblob is not made again: one TOKEN_INIT for two reads.
    expect(
      realm.traps.filter((t) => t.trap.kind === 'smc' && t.trap.fid === 0xc4000194),
    ).toHaveLength(1);
  });

  test('MMIO loads are emulated with zero or sign extension; stores carry their value in X[SRT]', () => {
    const base = MMIO_BASE;
    const realm = new FakeRealm(`
      console.log(mmio.read(${base}, 1), mmio.read(${base}, 1, true));
      console.log(mmio.read(${base + 8}, 2), mmio.read(${base + 8}, 2, true), mmio.read(${base + 16}, 8));
      mmio.write(${base + 24}, 4, 0xdeadbeef);
      mmio.write(${base + 28}, 2, -2);
      console.log(hex.encode(memory.read(${base + 8}, 2)));
    `);
    realm.runOnWorkers();
    expect(realm.console).toBe('128n -128n\n65534n -2n 136n\nfeff\n');
    expect(realm.mmioWrites).toEqual([
      { ipa: base + 24, size: 4, value: 0xdeadbeefn },
      { ipa: base + 28, size: 2, value: 0xfffen },
    ]);
    const mmio = aborts(realm).filter((a) => a.far >= BigInt(base));
    expect(mmio[1]).toMatchObject({
      isv: true,
      size: 1,
      signExtend: true,
      write: false,
      register: ACCESS_REGISTER,
      sixtyFour: true,
    });
    expect(mmio[3]).toMatchObject({ isv: true, size: 2, signExtend: true });
    expect(mmio[5]).toMatchObject({ isv: true, size: 4, write: true, signExtend: false });
  });

  test('an injected SEA makes the access throw inside the program, which can catch it', () => {
    const realm = new FakeRealm(
      `
      try { memory.read(0x90000, 100) } catch (e) { console.log('caught', e.code, e.message, e instanceof Error) }
      try { memory.read(${MMIO_BASE + 0x1000}, 3); } catch (e) { console.log('mmio', e.code) }
      memory.read(0x90010, 1);
    `,
      { seaPages: [0x90] },
    );
    realm.runOnWorkers();
    const lines = realm.console.split('\n');
    expect(lines[0]).toBe('caught GUEST_SEA synchronous external abort at IPA 0x90000 true');
    // An unprotected access without ISV cannot be emulated: the host injects an SEA.
    expect(lines[1]).toBe('mmio GUEST_SEA');
    expect(lines[2]).toMatch(/^Uncaught Error: synchronous external abort at IPA 0x90010/);
    expect(realm.exitStatus).toBe(1);
  });

  test('a secondary vCPU started with PSCI CPU_ON runs the same program with vcpu.index 1', () => {
    const realm = new FakeRealm(`
      if (vcpu.index === 0) {
        console.log('primary', psci.version().toString(16), psci.cpuOn(1), psci.cpuOn(0));
        while (psci.affinityInfo(1) !== 1) vcpu.wfi();
        // Again: the REC restarts at its entry, on a fresh worker.
        psci.cpuOn(1);
        while (psci.affinityInfo(1) !== 1) vcpu.wfe();
        console.log('primary sees the secondary off');
      } else {
        console.log('secondary', vcpu.index, memory.imageBase, memory.imageLength, memory.rsiPage);
      }
    `);
    realm.runOnWorkers();
    const scratch = Math.ceil(realm.image.length / PAGE) * PAGE;
    const lines = realm.console.split('\n');
    const secondary = `secondary 1 0 ${realm.image.length} ${scratch + PAGE}`;
    expect(lines.filter((l) => l === secondary)).toHaveLength(2);
    expect(lines).toContain('primary 10001 0 -4');
    expect(lines.at(-2)).toBe('primary sees the secondary off');
    expect(realm.exitStatus).toBe(0);
    // CPU_ON(1, entry = the image, context id with bit 63 set).
    expect(realm.boots[1]).toMatchObject({ index: 1, pc: 0n });
    expect(realm.boots[1]!.x0 >> 63n).toBe(1n);
  });

  test('exit(status) ends the realm from any point; an uncaught error prints and exits 1', () => {
    const a = new FakeRealm(`console.log('before'); exit(7); console.log('after');`);
    a.runOnWorkers();
    expect(a.console).toBe('before\n');
    expect(a.exitStatus).toBe(7);
    const b = new FakeRealm(`function f() { throw new TypeError('nope') } f();`);
    b.runOnWorkers();
    expect(b.console).toMatch(/^Uncaught TypeError: nope\n {4}at f \(realm\.js:1:22\)/);
    expect(b.exitStatus).toBe(1);
    const c = new FakeRealm(`(async () => { await null; throw new Error('late'); })()`);
    c.runOnWorkers();
    expect(c.console).toMatch(/^Uncaught Error: late/);
    expect(c.exitStatus).toBe(1);
  });

  test('a halted vCPU answers WFI without its worker; release and a restart at the entry start afresh', () => {
    const realm = new FakeRealm(`console.log('boot', vcpu.index);`);
    const vcpus = new WorkerVcpus({ memory: realm.memory });
    try {
      realm.run(vcpus);
      const rec = realm.recs[0]!;
      // SYSTEM_OFF returned (a fake RMM may): the runtime halts.
      const halt = vcpus.resume(rec);
      expect(halt).toEqual({ kind: 'wfi' });
      rec.pc += 4n;
      expect(vcpus.resume(rec)).toEqual({ kind: 'wfi' });
      expect(vcpus.resume(rec)).toEqual({ kind: 'wfi' });
      // Back at the entry with the boot registers: a new boot.
      realm.off = false;
      rec.pc = 0n;
      rec.gprs[0] = BigInt(realm.image.length);
      rec.gprs[1] = BigInt(realm.memorySize);
      realm.run(vcpus);
      expect(realm.console).toBe('boot 0\nboot 0\n');
      vcpus.release(rec);
      realm.off = false;
      rec.pc = 0n;
      rec.gprs[0] = BigInt(realm.image.length);
      rec.gprs[1] = BigInt(realm.memorySize);
      realm.run(vcpus);
      expect(realm.console).toBe('boot 0\nboot 0\nboot 0\n');
    } finally {
      vcpus.close();
    }
  });
});
