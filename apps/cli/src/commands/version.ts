/** `islet version`: the package versions and the backends. @module */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { TSM_REPORT_ROOT } from '@islet/sdk';
import type { Command } from '../cli.ts';
import { parseCommand } from '../options.ts';

function versionOf(packageJson: string): string {
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}

/** `islet version`. */
export const versionCommand: Command = {
  name: 'version',
  synopsis: '',
  summary: 'print the versions and the backends',
  run(argv, io) {
    parseCommand(argv, {});
    // ../package.json from both src/ (tests) and dist/ (the executable).
    const cli = versionOf(fileURLToPath(new URL('../../package.json', import.meta.url)));
    const sdk = versionOf(createRequire(import.meta.url).resolve('@islet/sdk/package.json'));
    io.stdout(
      [
        `islet ${cli} (@islet/sdk ${sdk})`,
        'backends:',
        "  simulated  (default) an in-process platform with Islet's dummy provisioning and one realm",
        '  fvp        the same platform, with the SDK running inside the realm (guest shim)',
        `  tsm        an Arm CCA Linux guest through configfs-tsm (${TSM_REPORT_ROOT}); tokens only`,
      ].join('\n'),
    );
    return 0;
  },
};
