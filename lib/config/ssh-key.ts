// The OpenSSH public key line (RFC 4253 section 6.6 wire format inside base64), read defensively: every length is
// checked against what is left of the buffer, so a key cut off when pasted is a message, never a crash.

/** Reads SSH wire-format fields; each read returns undefined instead of running past the end. */
class WireReader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.at;
  }

  /** A uint32 length followed by that many bytes (RFC 4251 "string" and "mpint"). */
  field(): Buffer | undefined {
    if (this.remaining < 4) return undefined;
    const len = this.buf.readUInt32BE(this.at);
    if (len > this.remaining - 4) return undefined;
    const out = this.buf.subarray(this.at + 4, this.at + 4 + len);
    this.at += 4 + len;
    return out;
  }
}

/** Bits of a positive mpint (RFC 4251: two's complement, big-endian, no needless leading zero byte). */
function mpintBits(n: Buffer): number | undefined {
  if (n.length === 0 || n[0] & 0x80) return undefined; // zero or negative: no RSA modulus
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  if (i === n.length) return undefined;
  return (n.length - i) * 8 - (Math.clz32(n[i]) - 24);
}

const LINE = /^(ssh-ed25519|ssh-rsa) ([A-Za-z0-9+/]+={0,2})( .*)?$/;
const TRUNCATED = "an OpenSSH public key whose data is complete (it ends early: was the line cut off when pasted?)";

/** Undefined for a usable key; otherwise the form it must take. Never echoes the key. */
export function sshKeyProblem(raw: string): string | undefined {
  if (/PRIVATE KEY/.test(raw)) return "the public half only; this looks like a private key, which must never be in config";
  const m = LINE.exec(raw.trim());
  if (!m) return "an OpenSSH public key line: 'ssh-ed25519 AAAA... comment' or 'ssh-rsa AAAA... comment'";
  const reader = new WireReader(Buffer.from(m[2], "base64"));
  const type = reader.field();
  if (type === undefined) return TRUNCATED;
  if (type.toString("latin1") !== m[1]) return "an OpenSSH public key whose data matches its type";
  if (m[1] === "ssh-ed25519") {
    const key = reader.field();
    if (key === undefined) return TRUNCATED;
    if (key.length !== 32) return "an ssh-ed25519 key of 32 bytes";
  } else {
    // ssh-rsa: string type, mpint e, mpint n. Azure needs n of 2048 bits or more.
    const e = reader.field();
    const n = e === undefined ? undefined : reader.field();
    if (e === undefined || n === undefined) return TRUNCATED;
    if (mpintBits(e) === undefined) return "an ssh-rsa key whose public exponent is a positive number";
    const bits = mpintBits(n) ?? 0;
    if (bits < 2048) return `an ssh-rsa key of at least 2048 bits (this one has ${bits})`;
  }
  if (reader.remaining !== 0) return "an OpenSSH public key with nothing after the key data (it has extra bytes)";
  return undefined;
}
