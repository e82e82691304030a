import { describeValue, fingerprint, sha256Hex } from "../../lib/fingerprint";
import { roleDefinitionId } from "../../lib/azure";

describe("fingerprints", () => {
  it("are SHA-256 (FIPS 180-2's 'abc' vector), 8 hex digits in short form, never the value", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex(Buffer.from("abc"))).toBe(sha256Hex("abc"));
    expect(fingerprint("abc")).toBe("ba7816bf");
    expect(describeValue("abc")).toBe("3 chars, sha256 ba7816bf");
    // UTF-8: "é" is 2 bytes, so its hash is not that of the Latin-1 byte.
    expect(sha256Hex("é")).toBe(sha256Hex(Buffer.from([0xc3, 0xa9])));
    expect(describeValue("s3cret-value")).not.toContain("s3cret");
  });
});

describe("role definition ids", () => {
  it("name the role in the subscription, in the one form assignments use", () => {
    expect(roleDefinitionId("sub-1", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635")).toBe(
      "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    );
  });
});
