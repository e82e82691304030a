// lib/azure/clouds.ts: the public cloud's endpoints, and the suffixes a URI read back may carry (every cloud in service).
import {
  BLOB_DNS_SUFFIXES,
  RETIRED_VAULT_DNS_SUFFIXES,
  storageEndpoint,
  suffixAlternation,
  VAULT_DNS_SUFFIXES,
  vaultUri,
} from "../../lib/azure";

describe("clouds", () => {
  it("builds the public cloud's vault URI and storage endpoints", () => {
    expect(vaultUri("lab-kv")).toBe("https://lab-kv.vault.azure.net/");
    expect(storageEndpoint("labst", "blob")).toBe("https://labst.blob.core.windows.net/");
    expect(storageEndpoint("labst", "file")).toBe("https://labst.file.core.windows.net/");
  });
  it("knows the three clouds in service; Azure Germany's vault suffix only as retired", () => {
    expect(VAULT_DNS_SUFFIXES).toEqual(["vault.azure.net", "vault.azure.cn", "vault.usgovcloudapi.net"]);
    expect(BLOB_DNS_SUFFIXES).toEqual(["blob.core.windows.net", "blob.core.chinacloudapi.cn", "blob.core.usgovcloudapi.net"]);
    expect(RETIRED_VAULT_DNS_SUFFIXES).toEqual(["vault.microsoftazure.de"]);
  });
  it("an alternation matches each suffix exactly: its dots are not wildcards", () => {
    const re = new RegExp(`^(?:${suffixAlternation(VAULT_DNS_SUFFIXES)})$`);
    expect(VAULT_DNS_SUFFIXES.every((s) => re.test(s))).toBe(true);
    expect(re.test("vaultxazure.net")).toBe(false);
    expect(re.test("vault.azure.net.evil.example")).toBe(false);
  });
});
