#!/usr/bin/env node
/**
 * The `islet-fvp` command: boots the modelled FVP and drives it from the Normal world.
 * `islet-fvp demo [--sha512] [--json]` builds a small realm through RMI and prints what the
 * platform's inspect view shows. `islet-fvp --normal-world=acs [--rmm=<name>] [--json]
 * [--filter <substring>]` runs the `@islet/conformance` suite from the Normal world against the
 * chosen RMM (`islet`, or the path of an ES module exporting `createRmm`); exit 1 when a case
 * fails.
 * @module
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GranuleState, RealmState, RmiRipas, RmiRttEntryState } from '@islet/abi';
import { isIsletError, toHex } from '@islet/arch';
import { formatReport, runConformance } from '@islet/conformance';
import { fvpConformanceTarget, loadRmm } from './conformance.ts';
import { bootPlatform } from './platform.ts';
import { createSmallRealm, SMALL_REALM_IMAGE_IPA } from './small-realm.ts';

const USAGE = [
  'Usage: islet-fvp demo [--sha512] [--json]',
  '       islet-fvp --normal-world=acs [--rmm=<islet|path>] [--json] [--filter <substring>]',
].join('\n');

/** A one-line usage error: exit 2. */
class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    console.error(`islet-fvp: ${err instanceof Error ? err.message : String(err)}`);
    console.error(USAGE);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values['normal-world'] !== undefined) {
    if (values['normal-world'] !== 'acs' || positionals.length > 0) {
      console.error(USAGE);
      return 2;
    }
    try {
      return await acs(values.rmm ?? 'islet', values.json ?? false, values.filter);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      console.error(`islet-fvp: ${err.message}`);
      return 2;
    }
  }
  if (positionals[0] !== 'demo') {
    console.log(USAGE);
    return 2;
  }
  return demo(values.sha512 ?? false, values.json ?? false);
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      sha512: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      'normal-world': { type: 'string' },
      rmm: { type: 'string' },
      filter: { type: 'string' },
    },
  });
}

/** Runs the conformance suite against the RMM named `rmm`; 0 when nothing fails. */
async function acs(rmm: string, json: boolean, filter: string | undefined): Promise<number> {
  if (rmm !== 'islet' && !existsSync(rmm)) {
    throw new UsageError(
      `unknown RMM '${rmm}': use 'islet' or the path of an ES module exporting createRmm`,
    );
  }
  let choice: Awaited<ReturnType<typeof loadRmm>>;
  try {
    choice = await loadRmm(rmm);
  } catch (err) {
    const why = isIsletError(err)
      ? `${err.shortMessage}${err.details ? ` (${err.details})` : ''}`
      : String(err);
    throw new UsageError(why.replace(/\n/g, ' '));
  }
  const started = performance.now();
  const report = runConformance(
    fvpConformanceTarget(choice),
    filter === undefined ? {} : { filter },
  );
  const ms = Number((performance.now() - started).toFixed(0));
  if (json) {
    console.log(JSON.stringify({ rmm: choice.name, ms, ...report }, null, 2));
  } else {
    console.log(`RMM conformance (ACS v1.0 RMI conditions) of ${choice.name} on the FVP model`);
    console.log('');
    console.log(formatReport(report));
    console.log(`(${ms} ms)`);
  }
  return report.failed === 0 ? 0 : 1;
}

function demo(sha512: boolean, json: boolean): number {
  const started = performance.now();
  const platform = bootPlatform();
  const booted = performance.now();
  const realm = createSmallRealm(platform, { hashAlgo: sha512 ? 1 : 0 });
  const built = performance.now();
  const info = platform.inspect.realm(realm.rd);
  if (!info) throw new Error('the RMM does not offer realm inspection');
  const stateName =
    Object.entries(RealmState).find(([, v]) => v === info.state)?.[0] ?? String(info.state);
  const nameOf = (table: Record<string, number>, v: number | undefined): string =>
    Object.entries(table).find(([, x]) => x === v)?.[0] ?? String(v);
  const granules = [realm.rd, ...realm.rtts, ...realm.data, realm.rec, realm.aux[0]!].map((pa) => {
    const g = platform.inspect.granule(pa);
    return { pa: `0x${pa.toString(16)}`, ...g, rmmStateName: nameOf(GranuleState, g.rmmState) };
  });
  // The image's stage-2 entries, read as RMI_RTT_READ_ENTRY reports them.
  const stage2 = realm.data.map((_, i) => {
    const ipa = SMALL_REALM_IMAGE_IPA + BigInt(i) * 0x1000n;
    const e = platform.inspect.rttEntry(realm.rd, ipa);
    return {
      ipa: `0x${ipa.toString(16)}`,
      level: e?.level,
      state: nameOf(RmiRttEntryState, e?.state),
      ripas: nameOf(RmiRipas, e?.ripas),
      desc: e === undefined ? undefined : `0x${e.desc.toString(16)}`,
    };
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
    stage2,
  };
  if (json) {
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
  console.log('The image in stage 2 (RMI_RTT_READ_ENTRY):');
  for (const e of stage2) {
    console.log(`  IPA ${e.ipa}  level ${e.level}  ${e.state} ${e.ripas}  -> ${e.desc}`);
  }
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  const line = isIsletError(err)
    ? `${err.code}: ${err.shortMessage}${err.details ? ` (${err.details})` : ''}`
    : String(err);
  console.error(`islet-fvp: ${line.replace(/\n/g, ' ')}`);
  process.exitCode = 1;
}
