#!/usr/bin/env node
/**
 * The `islet-fvp` command: boots the modelled FVP and drives it from the Normal world.
 * `islet-fvp demo [--sha512] [--json]` builds a small realm through RMI and prints what the
 * platform's inspect view shows.
 * @module
 */
import { parseArgs } from 'node:util';
import { GranuleState, RealmState } from '@islet/abi';
import { isIsletError, toHex } from '@islet/arch';
import { bootPlatform } from './platform.ts';
import { createSmallRealm } from './small-realm.ts';

const USAGE = 'Usage: islet-fvp demo [--sha512] [--json]';

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      sha512: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals[0] !== 'demo') {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const started = performance.now();
  const platform = bootPlatform();
  const booted = performance.now();
  const realm = createSmallRealm(platform, { hashAlgo: values.sha512 ? 1 : 0 });
  const built = performance.now();
  const info = platform.inspect.realm(realm.rd);
  if (!info) throw new Error('the RMM does not offer realm inspection');
  const stateName =
    Object.entries(RealmState).find(([, v]) => v === info.state)?.[0] ?? String(info.state);
  const nameOf = (table: Record<string, number>, v: number | undefined): string =>
    Object.entries(table).find(([, x]) => x === v)?.[0] ?? String(v);
  const granules = [realm.rd, ...realm.rtts, realm.rec, realm.aux[0]!].map((pa) => {
    const g = platform.inspect.granule(pa);
    return { pa: `0x${pa.toString(16)}`, ...g, rmmStateName: nameOf(GranuleState, g.rmmState) };
  });
  const report = {
    rmm: platform.parts.rmmName,
    bootMs: Number((booted - started).toFixed(1)),
    realmMs: Number((built - booted).toFixed(1)),
    measuredFirmware: platform.boot.measurements.map((m) => m.measurement.metadata.swType),
    realm: {
      rd: `0x${realm.rd.toString(16)}`,
      state: stateName,
      hashAlgo: info.hashAlgo === 0 ? 'sha-256' : 'sha-512',
      rim: toHex(info.rim.subarray(0, info.hashAlgo === 0 ? 32 : 64)),
      recs: info.recCount,
      vmid: info.vmid,
      ipaWidth: info.s2sz,
    },
    granules,
  };
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  console.log(
    `Booted the FVP model with ${report.rmm} in ${report.bootMs} ms (HES measured ${report.measuredFirmware.join(', ')})`,
  );
  console.log(`Built a realm through RMI in ${report.realmMs} ms:`);
  console.log(
    `  RD ${report.realm.rd}: ${stateName}, ${report.realm.hashAlgo}, ${report.realm.recs} REC, VMID ${report.realm.vmid}, IPA width ${report.realm.ipaWidth}`,
  );
  console.log(`  RIM ${report.realm.rim}`);
  console.log('Granules (GPI from the GPT in memory, state from the RMM):');
  for (const g of granules) {
    console.log(
      `  ${g.pa}  GPI 0x${g.gpi.toString(16)}  host access ${g.hostAccessible ? 'yes' : 'NO '}  RMM ${g.rmmStateName.padEnd(10)}  refcount ${String(g.refcount)}`,
    );
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  const line = isIsletError(err)
    ? `${err.code}: ${err.shortMessage}${err.details ? ` (${err.details})` : ''}`
    : String(err);
  console.error(`islet-fvp: ${line.replace(/\n/g, ' ')}`);
  process.exitCode = 1;
}
