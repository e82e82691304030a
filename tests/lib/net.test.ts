import { contains, hasHostBits, isPrivate, isPublic, parseCidr, parseIpv4, size } from "../../lib/net";

describe("net", () => {
  it.each(["256.1.1.1", "1.2.3", "01.2.3.4", "a.b.c.d", "1.2.3.4.5", ""])("refuses the address %j", (a) =>
    expect(parseIpv4(a)).toBeUndefined(),
  );
  it.each(["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/8/8"])("refuses the CIDR %j", (c) => expect(parseCidr(c)).toBeUndefined());

  it("takes a bare address as /32 only when allowed", () => {
    expect(parseCidr("203.0.113.7")).toBeUndefined();
    expect(parseCidr("203.0.113.7", true)).toMatchObject({ prefix: 32 });
  });

  it("knows containment, size and host bits", () => {
    const space = parseCidr("10.42.0.0/16")!;
    expect(contains(space, parseCidr("10.42.7.0/24")!)).toBe(true);
    expect(contains(space, parseCidr("10.43.0.0/24")!)).toBe(false);
    expect(contains(parseCidr("10.42.1.0/24")!, space)).toBe(false);
    expect(size(parseCidr("10.0.0.0/29")!)).toBe(8);
    expect(hasHostBits(parseCidr("10.0.0.1/24")!)).toBe(true);
    expect(hasHostBits(parseCidr("10.0.0.0/24")!)).toBe(false);
  });

  it.each([
    ["10.1.2.3/32", true, false],
    ["172.20.0.0/16", true, false],
    ["192.168.0.0/24", true, false],
    ["127.0.0.1/32", false, false],
    ["169.254.169.254/32", false, false],
    ["0.0.0.0/0", false, false],
    ["203.0.113.0/24", false, true],
    ["8.8.8.8/32", false, true],
  ])("%s: private %s, public %s", (c, priv, pub) => {
    expect(isPrivate(parseCidr(c)!)).toBe(priv);
    expect(isPublic(parseCidr(c)!)).toBe(pub);
  });
});
