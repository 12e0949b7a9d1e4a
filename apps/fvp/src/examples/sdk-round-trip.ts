/**
 * The SDK round trip, as Islet's SDK examples do it: attest with user data, verify the token
 * (platform and realm signatures, binding, the user data in the challenge), read a claim by its
 * Islet title, seal and unseal, and see another realm fail to unseal.
 *
 * Run it from the build: `node apps/fvp/dist/examples/sdk-round-trip.js`.
 * @module
 */
import { pathToFileURL } from 'node:url';
import { isIsletError, toHex } from '@islet/arch';
import { attest, Sealer, verify } from '@islet/sdk';
import { SimulatedRealm } from '../simulated-realm.ts';

/** Runs the round trip, printing each step. */
export function sdkRoundTrip(print: (line: string) => void = console.log): void {
  const realm = new SimulatedRealm({ identity: 'example-app' });
  const other = new SimulatedRealm({ identity: 'another-app' });
  try {
    const userData = new TextEncoder().encode('example nonce');
    const token = attest(realm, userData);
    print(`token: ${token.length} bytes`);

    const claims = verify(token, { cpak: realm.cpak, challenge: userData });
    print(`verified; realm initial measurement ${toHex(claims.realm.initialMeasurement)}`);
    const user = claims.claim('User data')?.value;
    print(
      `user data: ${user instanceof Uint8Array ? new TextDecoder().decode(user).replace(/\0+$/, '') : '?'}`,
    );

    const sealer = new Sealer(realm);
    const blob = sealer.seal(new TextEncoder().encode('the secret'));
    print(
      `sealed ${blob.length} bytes; unsealed: ${new TextDecoder().decode(sealer.unseal(blob))}`,
    );
    try {
      new Sealer(other).unseal(blob);
      print('another realm unsealed it: this must not happen');
    } catch (err) {
      print(`another realm cannot unseal it: ${isIsletError(err) ? err.code : String(err)}`);
    }
  } finally {
    realm.close();
    other.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) sdkRoundTrip();
