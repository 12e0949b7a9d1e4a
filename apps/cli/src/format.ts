/** Human-readable rendering of token reports for the terminal. @module */
import { toHex } from '@islet/arch';
import {
  type CcaTokenReport,
  type CheckStatus,
  coseAlgorithmName,
  lifecycleState,
  type PlatformClaims,
  type PlatformTokenReport,
  type RealmClaims,
} from '@islet/token';

const MARK: Record<CheckStatus, string> = {
  valid: 'OK',
  invalid: 'FAILED',
  unchecked: 'not checked',
};

function row(out: string[], name: string, value: string): void {
  out.push(`  ${name.padEnd(36)} ${value}`);
}

function platformLines(out: string[], p: PlatformClaims): void {
  out.push('Platform token');
  row(out, 'profile (265)', p.profile);
  row(out, 'challenge (10)', toHex(p.challenge));
  row(out, 'implementation ID (2396)', toHex(p.implementationId));
  row(out, 'instance ID (256)', toHex(p.instanceId));
  row(out, 'config (2401)', toHex(p.config) || '(empty)');
  row(
    out,
    'lifecycle (2395)',
    `0x${p.lifecycle.toString(16).padStart(4, '0')} (${lifecycleState(p.lifecycle)})`,
  );
  if (p.verificationServiceIndicator !== undefined) {
    row(out, 'verification service (2400)', p.verificationServiceIndicator);
  }
  row(out, 'hash algorithm (2402)', p.hashAlgorithm);
  row(out, 'software components (2399)', String(p.swComponents.length));
  for (const c of p.swComponents) {
    out.push(
      `    - ${c.type ?? '(no type)'}${c.version === undefined ? '' : ` ${c.version}`}${c.hashAlgorithm === undefined ? '' : ` [${c.hashAlgorithm}]`}`,
    );
    out.push(`      measurement ${toHex(c.measurement)}`);
    out.push(`      signer ID   ${toHex(c.signerId)}`);
  }
}

function realmLines(out: string[], r: RealmClaims): void {
  out.push('Realm token');
  row(out, 'profile (265)', r.profile ?? '(none: legacy)');
  row(out, 'challenge (10)', toHex(r.challenge));
  if (r.instanceId !== undefined) row(out, 'realm instance ID (256)', toHex(r.instanceId));
  row(out, 'personalization value (44235)', toHex(r.personalizationValue));
  row(out, 'hash algorithm (44236)', r.hashAlgorithm);
  row(out, 'initial measurement (44238)', toHex(r.initialMeasurement));
  r.extensibleMeasurements.forEach((m, i) => {
    row(out, i === 0 ? 'extensible measurements (44239)' : '', `[${i}] ${toHex(m)}`);
  });
  row(out, 'public key (44237)', `${r.publicKey.length} bytes: ${toHex(r.publicKey)}`);
  row(out, 'public key hash alg (44240)', r.publicKeyHashAlgorithm);
  if (r.mecPolicy !== undefined) row(out, 'MEC policy (44243)', String(r.mecPolicy));
}

/** Renders a CCA token report. */
export function formatCcaTokenReport(report: CcaTokenReport): string {
  const out: string[] = [];
  out.push(
    `CCA token (tag ${report.form}${report.form === 399 ? ', RMM 1.0 form' : ', CMW collection'})`,
  );
  out.push('');
  platformLines(out, report.platform);
  out.push('');
  realmLines(out, report.realm);
  out.push('');
  out.push('Checks');
  row(
    out,
    `platform signature (${coseAlgorithmName(report.platformAlg)})`,
    MARK[report.platformSignature],
  );
  row(
    out,
    `realm signature (${coseAlgorithmName(report.realmAlg)}, RAK ${report.rak.curve})`,
    MARK[report.realmSignature],
  );
  row(out, `binding (${report.realm.publicKeyHashAlgorithm} of RAK)`, MARK[report.binding]);
  return out.join('\n');
}

/** Renders a stand-alone platform token report. */
export function formatPlatformTokenReport(report: PlatformTokenReport): string {
  const out: string[] = ['Platform token alone (COSE_Sign1, tag 18)', ''];
  platformLines(out, report.platform);
  out.push('', 'Checks');
  row(
    out,
    `platform signature (${coseAlgorithmName(report.platformAlg)})`,
    MARK[report.platformSignature],
  );
  return out.join('\n');
}
