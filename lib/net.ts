// IPv4 and CIDR arithmetic for config validation. Pure functions, no dependencies.

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
  /** The address as written (before masking). */
  readonly address: number;
}

const OCTETS = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted IPv4 address, or returns undefined. */
export function parseIpv4(text: string): number | undefined {
  const m = OCTETS.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p, i) => p > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith("0")))) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** Parses `a.b.c.d/n`, or `a.b.c.d` as a /32 when `bareAddress` is allowed. */
export function parseCidr(text: string, bareAddress = false): Cidr | undefined {
  const [addr, prefixText, ...rest] = text.split("/");
  if (rest.length > 0) return undefined;
  const address = parseIpv4(addr);
  if (address === undefined) return undefined;
  if (prefixText === undefined) return bareAddress ? { base: address, prefix: 32, address } : undefined;
  if (!/^\d{1,2}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32) return undefined;
  return { base: (address & mask(prefix)) >>> 0, prefix, address };
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
}

/** True when the CIDR was written with host bits set (10.0.0.1/24): Azure rejects those for address prefixes. */
export function hasHostBits(c: Cidr): boolean {
  return c.base !== c.address;
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && (inner.base & mask(outer.prefix)) >>> 0 === outer.base;
}

const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((t) => parseCidr(t)!);
const NOT_PUBLIC = [
  ...PRIVATE,
  ...["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10", "224.0.0.0/3"].map((t) => parseCidr(t)!),
];

/** Inside RFC 1918 space. */
export function isPrivate(c: Cidr): boolean {
  return PRIVATE.some((p) => contains(p, c));
}

/** Routable on the internet: not private, loopback, link-local, CGNAT, multicast or reserved. */
export function isPublic(c: Cidr): boolean {
  return !NOT_PUBLIC.some((p) => contains(p, c) || contains(c, p));
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}
