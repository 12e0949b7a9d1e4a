// The sample realm app of `islet-fvp --realm`: it runs inside the realm, where only the guest API
// of @islet/guest is in scope (no Node globals). It attests itself with the relying party's fresh
// challenge through the Linux configfs-tsm interface, as a Linux realm app would, prints what it
// can see of its own identity, and sends the CCA token back through the host.

const version = rsi.abiVersion();
const config = rsi.realmConfig();
console.log(
  `realm app on vCPU ${vcpu.index}: RSI ${version.major}.${version.minor}, ` +
    `${config.hashAlgo === 0 ? 'SHA-256' : 'SHA-512'} measurements, ${config.ipaWidth}-bit IPA space, ` +
    `${memory.size / 1024} KiB of RAM, image ${memory.imageLength} bytes`,
);

// The relying party's nonce, relayed by the host.
const challenge = host.challenge();
console.log(`challenge  ${hex.encode(challenge)}`);

// RIM and REMs, as RSI_MEASUREMENT_READ reports them.
for (let slot = 0; slot <= 4; slot++) {
  const name = slot === 0 ? 'RIM ' : `REM${slot - 1}`;
  console.log(`${name}       ${hex.encode(rsi.measurementRead(slot))}`);
}

// configfs-tsm: write the challenge to inblob, read the CCA token from outblob.
tsm.create('attest');
tsm.write('attest', 'inblob', challenge);
const token = tsm.read('attest', 'outblob');
const provider = text.decode(tsm.read('attest', 'provider')).trim();
const generation = text.decode(tsm.read('attest', 'generation')).trim();
console.log(`CCA token  ${token.length} bytes from ${provider}, generation ${generation}`);

host.send(token);
