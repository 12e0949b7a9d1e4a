#!/usr/bin/env node
/**
 * The `islet-fvp` command: boots the modelled FVP and drives it from the Normal world.
 * `islet-fvp demo [--sha512] [--json]` builds a small realm through RMI and prints what the
 * platform's inspect view shows. `islet-fvp --realm[=<image.js>] [--rmm=<name>] [--sha512]
 * [--memory <size>] [--json]` launches a realm app (by default the sample `realms/attest.js`),
 * runs it and verifies the CCA token it sends as a relying party would: exit 0 only if it
 * verifies against the CPAK, the fresh challenge and the RIM predicted offline. `islet-fvp --normal-world=acs [--rmm=<name>] [--json]
 * [--filter <substring>]` runs the `@islet/conformance` suite from the Normal world against the
 * chosen RMM (`islet`, or the path of an ES module exporting `createRmm`); exit 1 when a case
 * fails.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GranuleState, RealmState, RmiRipas, RmiRttEntryState } from '@islet/abi';
import { isIsletError, toHex } from '@islet/arch';
import { formatReport, runConformance } from '@islet/conformance';
import { fvpConformanceTarget, loadRmm } from './conformance.ts';
import { bootPlatform } from './platform.ts';
import { runRealmApp, verifyRealmEvidence } from './realm-app.ts';
import { computeRim } from './rim.ts';
import { createSmallRealm, SMALL_REALM_IMAGE_IPA } from './small-realm.ts';

/** The sample realm app, shipped with the package. */
const SAMPLE_REALM = new URL('../realms/attest.js', import.meta.url);

const USAGE = [
  'Usage: islet-fvp demo [--sha512] [--json]',
  '       islet-fvp --realm[=<image.js>] [--rmm=<islet|path>] [--sha512] [--memory <bytes|NM>] [--json]',
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
  if (values.realm !== undefined) {
    if (positionals.length > 0) {
      console.error(USAGE);
      return 2;
    }
    try {
      return await realm(values.realm, values);
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
    // A bare `--realm` is the sample app.
    args: argv.map((a) => (a === '--realm' ? '--realm=' : a)),
    allowPositionals: true,
    options: {
      sha512: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      'normal-world': { type: 'string' },
      rmm: { type: 'string' },
      filter: { type: 'string' },
      realm: { type: 'string' },
      memory: { type: 'string' },
    },
  });
}

/** Parses a memory size: bytes, 0x hex, or a number with K or M. */
function memorySize(text: string): number {
  const m = /^(0x[0-9a-f]+|\d+)([km]?)$/i.exec(text);
  if (!m) throw new UsageError(`--memory must be a size like 4194304, 0x400000 or 4M: ${text}`);
  const unit = m[2]!.toLowerCase() === 'k' ? 1024 : m[2]!.toLowerCase() === 'm' ? 2 ** 20 : 1;
  return Number(m[1]) * unit;
}

/**
 * Launches a realm app, runs it, and verifies its evidence as a relying party: 0 when the token
 * verifies, 1 when it does not (or the realm sent none).
 */
async function realm(
  file: string,
  values: { rmm?: string; sha512?: boolean; memory?: string; json?: boolean },
): Promise<number> {
  const path = file === '' ? SAMPLE_REALM : file;
  if (typeof path === 'string' && !existsSync(path)) {
    throw new UsageError(`cannot read the realm image ${path}`);
  }
  const image = new Uint8Array(readFileSync(path));
  const choice = await rmmChoice(values.rmm ?? 'islet');
  const launch = {
    image,
    hashAlgo: values.sha512 ? ('sha512' as const) : ('sha256' as const),
    ...(values.memory === undefined ? {} : { memorySize: memorySize(values.memory) }),
  };
  const json = values.json ?? false;
  const out = (line: string): void => {
    if (!json) console.log(line);
  };
  const t0 = performance.now();
  const platform = bootPlatform({ rmm: choice, parallelMeasurement: true });
  try {
    const booted = performance.now() - t0;
    const predicted = toHex(computeRim(launch).rim);
    out(`Booted the FVP model with ${platform.parts.rmmName} in ${booted.toFixed(1)} ms`);
    out(
      `Realm image ${typeof path === 'string' ? path : 'realms/attest.js (sample)'}: ${image.length} bytes, ${launch.hashAlgo}`,
    );
    out(`RIM predicted offline: ${predicted}`);
    let partial = '';
    const app = runRealmApp(platform, launch, {
      console(text) {
        if (json) return;
        const lines = (partial + text).split('\n');
        partial = lines.pop()!;
        for (const line of lines) console.log(`  realm | ${line}`);
      },
    });
    if (partial !== '') out(`  realm | ${partial}`);
    out(
      `Launched in ${app.launchMs.toFixed(1)} ms, ran in ${app.runMs.toFixed(1)} ms: ${app.run.reason}, exit status ${app.run.exitStatus ?? '-'}, ${app.run.exitCount} exits`,
    );
    const challenge = app.challenges[0];
    const report: Record<string, unknown> = {
      rmm: platform.parts.rmmName,
      image: { size: image.length, hashAlgo: launch.hashAlgo },
      predictedRim: predicted,
      run: { reason: app.run.reason, exitStatus: app.run.exitStatus, exits: app.run.exits },
      launchMs: Number(app.launchMs.toFixed(1)),
      runMs: Number(app.runMs.toFixed(1)),
      console: app.console,
    };
    if (challenge === undefined || app.sent.length === 0) {
      out('The realm sent no evidence: nothing to verify.');
      if (json) console.log(JSON.stringify({ ...report, verified: false }, null, 2));
      return 1;
    }
    try {
      const { report: token } = verifyRealmEvidence(platform, app.sent, { launch, challenge });
      out(`Relying party: the ${app.sent.length}-byte CCA token verifies:`);
      out(`  platform signature (CPAK) valid, realm signature (RAK) valid, binding valid`);
      out(`  challenge     ${toHex(token.realm.challenge)} (the one issued)`);
      out(`  RIM           ${toHex(token.realm.initialMeasurement)} (as predicted)`);
      token.realm.extensibleMeasurements.forEach((rem, i) => {
        out(`  REM${i}          ${toHex(rem)}`);
      });
      out(
        `  hash          ${token.realm.hashAlgorithm}, RPV ${toHex(token.realm.personalizationValue).slice(0, 16)}…`,
      );
      out(
        `  platform      ${token.platform.profile}, lifecycle 0x${token.platform.lifecycle.toString(16)}, ${token.platform.swComponents.length} measured components`,
      );
      if (json) {
        console.log(
          JSON.stringify({ ...report, verified: true, challenge: toHex(challenge) }, null, 2),
        );
      }
      return 0;
    } catch (err) {
      const why = isIsletError(err) ? `${err.code}: ${err.shortMessage}` : String(err);
      out(`Relying party: the token does NOT verify: ${why}`);
      if (json) console.log(JSON.stringify({ ...report, verified: false, error: why }, null, 2));
      return 1;
    }
  } finally {
    platform.close();
  }
}

/** The RMM named on the command line, as a usage error when it cannot be loaded. */
async function rmmChoice(rmm: string): Promise<Awaited<ReturnType<typeof loadRmm>>> {
  if (rmm !== 'islet' && !existsSync(rmm)) {
    throw new UsageError(
      `unknown RMM '${rmm}': use 'islet' or the path of an ES module exporting createRmm`,
    );
  }
  try {
    return await loadRmm(rmm);
  } catch (err) {
    const why = isIsletError(err)
      ? `${err.shortMessage}${err.details ? ` (${err.details})` : ''}`
      : String(err);
    throw new UsageError(why.replace(/\n/g, ' '));
  }
}

/** Runs the conformance suite against the RMM named `rmm`; 0 when nothing fails. */
async function acs(rmm: string, json: boolean, filter: string | undefined): Promise<number> {
  const choice = await rmmChoice(rmm);
  const started = performance.now();
  const report = runConformance(
    fvpConformanceTarget(choice),
    filter === undefined ? {} : { filter },
  );
  const ms = Number((performance.now() - started).toFixed(0));
  if (json) {
    console.log(JSON.stringify({ rmm: choice.name, ms, ...report }, null, 2));
  } else {
    console.log(
      `RMM conformance (ACS v1.0 RMI, RSI and PSCI conditions) of ${choice.name} on the FVP model`,
    );
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
