// verify's --outputs file holds only names and ids in the shapes the program creates, for one lab
// (conformance: cloud-keyvault-blob-dns-suffixes).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError } from "../../../scripts/shared/cli";
import { MAX_SEATS } from "../../../scripts/verify/output-shapes";
import { parseOutputs } from "../../../scripts/verify/outputs";
import { SUB, ESC, seat, outputs, usageError, refusal } from "./inputs-fixture";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-inputs-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("verify --outputs FILE: names and ids in the shape the program creates", () => {
  it("accepts the program's outputs", () => {
    expect(parseOutputs(outputs(), "o").seatVms).toHaveLength(2);
  });

  it(`refuses more than ${MAX_SEATS} seats, and lists at most 20 problems`, () => {
    expect(() => parseOutputs(outputs({}, MAX_SEATS + 1), "o")).toThrow(
      new RegExp(`seatVms: expected at most ${MAX_SEATS} seats \\(a lab's limit\\), got ${MAX_SEATS + 1}`),
    );
    const bad = outputs({ seatVms: Array.from({ length: 50 }, (_, i) => ({ ...seat(i + 1), vmName: `bad name ${i}` })) });
    const message = (() => {
      try {
        parseOutputs(bad, "o");
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message.split("\n").filter((l) => l.startsWith("  - "))).toHaveLength(21);
    expect(message).toMatch(/ {2}- and \d+ more$/);
  });

  const SEAT1 = seat(1);
  it.each([
    ["resourceGroupName", { resourceGroupName: "rg; rm -rf /" }, /resourceGroupName: expected a resource group name/],
    [
      "vaultUri",
      { vaultUri: "https://evil.example/" },
      /vaultUri: expected https:\/\/NAME\.vault\.azure\.net\/, got "https:\/\/evil\.example\/"/,
    ],
    [
      "vaultUri (suffix trick)",
      { vaultUri: "https://kv.vault.azure.net.evil.example/" },
      /vaultUri: expected https:\/\/NAME\.vault\.azure\.net\//,
    ],
    ["vaultUri (user info)", { vaultUri: "https://dsvmlab-kv.vault.azure.net@evil.example/" }, /vaultUri: expected/],
    ["vaultName", { vaultName: "kv/../x" }, /vaultName: expected a Key Vault name/],
    [
      "secretName",
      { secretName: "-rf" },
      /secretName: expected a Key Vault secret name as config allows it \(letters, digits and hyphens, starting with a letter\), got "-rf"/,
    ],
    [
      "storageAccountId",
      { storageAccountId: `${SUB}/Microsoft.Evil/storageAccounts/x1y2z3` },
      /storageAccountId: expected \/subscriptions\/GUID\/resourceGroups\/RG\/providers\/Microsoft\.Storage\/storageAccounts\/NAME/,
    ],
    [
      "storageAccountId (no GUID)",
      { storageAccountId: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/abc" },
      /storageAccountId: expected/,
    ],
    ["blobEndpoint", { blobEndpoint: "https://evil.example/" }, /blobEndpoint: expected https:\/\/ACCOUNT\.blob\.core\.windows\.net\//],
    ["blobEndpoint (http)", { blobEndpoint: "http://dsvmlabstabc12345.blob.core.windows.net/" }, /blobEndpoint: expected/],
    [
      "blobEndpoint (another account)",
      { blobEndpoint: "https://other123.blob.core.windows.net/" },
      /blobEndpoint: expected the blob endpoint of the account dsvmlabstabc12345 in storageAccountId/,
    ],
    ["seat 0", { seatVms: [{ ...SEAT1, seat: 0 }] }, /seatVms\[0\]\.seat: expected a seat number from 1 to 4000, each once, got 0/],
    ["a seat twice", { seatVms: [SEAT1, SEAT1] }, /seatVms\[1\]\.seat: expected a seat number from 1 to 4000, each once, got 1/],
    [
      "vmName",
      { seatVms: [{ ...SEAT1, vmName: "vm1;reboot" }] },
      /seatVms\[0\]\.vmName: expected PREFIX-vmSEAT \(the seat's VM, as the lab names it\), got "vm1;reboot"/,
    ],
    [
      "vmName of another seat",
      { seatVms: [{ ...seat(2), seat: 1 }] },
      /seatVms\[0\]\.vmName: expected the VM of seat 1 \(PREFIX-vm1\), got "dsvmlab-vm2"/,
    ],
    [
      "vmId of another VM",
      { seatVms: [{ ...SEAT1, vmId: seat(2).vmId }] },
      /seatVms\[0\]\.vmId: expected \/subscriptions\/GUID\/resourceGroups\/RG\/providers\/Microsoft\.Compute\/virtualMachines\/"dsvmlab-vm1"/,
    ],
    [
      "vmId of another type",
      { seatVms: [{ ...SEAT1, vmId: SEAT1.vmId.replace("Microsoft.Compute", "Microsoft.Evil") }] },
      /seatVms\[0\]\.vmId: expected/,
    ],
    [
      "a seat's vaultUri",
      { seatVms: [{ ...SEAT1, vaultUri: "https://evil.example/" }] },
      /seatVms\[0\]\.vaultUri: expected the seat's vault URI, https:\/\/NAME\.vault\.azure\.net\/, got "https:\/\/evil\.example\/"/,
    ],
    ["a seat's vaultName", { seatVms: [{ ...SEAT1, vaultName: "x" }] }, /seatVms\[0\]\.vaultName: expected a Key Vault name/],
  ])("refuses a bad %s, naming the key, the value and the expected form", (_label, over, message) => {
    expect(() => parseOutputs(outputs(over as Record<string, unknown>), "--outputs o.json")).toThrow(UsageError);
    expect(() => parseOutputs(outputs(over as Record<string, unknown>), "--outputs o.json")).toThrow(message as RegExp);
  });

  it("never echoes a control character or escape sequence from the file, and cuts long values short", () => {
    const message = (() => {
      try {
        parseOutputs(outputs({ secretName: `${ESC}[2J${ESC}]0;pwned\u0007\u009b31m-x${"y".repeat(200)}` }), "o");
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toMatch(/secretName: expected/);
    expect(message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(message).not.toContain("y".repeat(100));
  });
});

describe("verify --outputs FILE: one lab, named as the program names it", () => {
  const OTHER_SUB = "/subscriptions/99999999-9999-9999-9999-999999999999/resourceGroups/dsvmlab-dev-rg/providers";
  const OTHER_RG = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/prod-rg/providers";
  const SEAT2 = seat(2);
  it.each([
    [
      "a seat's VM in another subscription",
      { seatVms: [seat(1), { ...SEAT2, vmId: `${OTHER_SUB}/Microsoft.Compute/virtualMachines/dsvmlab-vm2` }] },
      /seatVms\[1\]\.vmId: expected a resource in the subscription of storageAccountId \(00000000-0000-0000-0000-000000000001\), got ".*99999999/,
    ],
    [
      "a seat's VM in another resource group",
      { seatVms: [seat(1), { ...SEAT2, vmId: `${OTHER_RG}/Microsoft.Compute/virtualMachines/dsvmlab-vm2` }] },
      /seatVms\[1\]\.vmId: expected a resource in resourceGroupName "dsvmlab-dev-rg"/,
    ],
    [
      "the storage account in another subscription",
      { storageAccountId: `${OTHER_SUB}/Microsoft.Storage/storageAccounts/dsvmlabstabc12345` },
      /storageAccountId: expected a resource in the subscription of storageAccountId|seatVms\[0\]\.vmId: expected a resource in the subscription of storageAccountId/,
    ],
    [
      "a resource group not named PREFIX-STACK-rg",
      { resourceGroupName: "prod-rg" },
      /resourceGroupName: expected dsvmlab-STACK-rg .*got "prod-rg"/,
    ],
    ["a resource group of another prefix", { resourceGroupName: "other-dev-rg" }, /resourceGroupName: expected dsvmlab-STACK-rg/],
    [
      "a vault of another prefix",
      { vaultName: "other-kv-abc123" },
      /vaultName: expected the vault dsvmlab-kv-XXXXXX .*got "other-kv-abc123"/,
    ],
    ["a vault not named PREFIX-kv-XXXXXX", { vaultName: "dsvmlab-kv" }, /vaultName: expected the vault dsvmlab-kv-XXXXXX/],
    [
      "a vault URI of another vault",
      { vaultUri: "https://prod-kv.vault.azure.net/" },
      /vaultUri: expected the vault dsvmlab-kv-XXXXXX .*got "prod-kv"/,
    ],
    [
      "a seat's vault of another prefix",
      { seatVms: [{ ...seat(1), vaultName: "prodkv-kv-abc123", vaultUri: "https://prodkv-kv-abc123.vault.azure.net/" }] },
      /seatVms\[0\]\.vaultName: expected the vault dsvmlab-kv-XXXXXX(.|\n)*seatVms\[0\]\.vaultUri: expected the vault/,
    ],
    [
      "a storage account not named PREFIXstXXXXXXXX",
      { storageAccountId: `${SUB}/Microsoft.Storage/storageAccounts/prodstore`, blobEndpoint: "https://prodstore.blob.core.windows.net/" },
      /storageAccountId: expected the account dsvmlabstXXXXXXXX .*got "prodstore"/,
    ],
    [
      "two name prefixes among the VMs",
      { seatVms: [seat(1), seat(2, "other")] },
      /seatVms\[1\]\.vmName: expected dsvmlab-vm2 \(one prefix for the whole lab\), got "other-vm2"/,
    ],
  ])("refuses %s (exit 2), naming the key and what it should be", (_label, over, message) => {
    expect(refusal(outputs(over as Record<string, unknown>))).toMatch(message as RegExp);
  });

  it("refuses the red team's file (another subscription's prod-rg, prod-kv, db-password, prod-vm1) with exit 2 before any dependency is made", async () => {
    const prod = "/subscriptions/99999999-9999-9999-9999-999999999999/resourceGroups/prod-rg/providers";
    const file = path.join(dir, "evil.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        resourceGroupName: "prod-rg",
        vaultName: "prod-kv",
        vaultUri: "https://prod-kv.vault.azure.net/",
        secretName: "db-password",
        storageAccountId: `${prod}/Microsoft.Storage/storageAccounts/prodstore`,
        blobEndpoint: "https://prodstore.blob.core.windows.net/",
        seatVms: [{ seat: 1, vmName: "prod-vm1", vmId: `${prod}/Microsoft.Compute/virtualMachines/prod-vm1` }],
      }),
    );
    const message = await usageError(["--outputs", file]);
    expect(message).toMatch(/resourceGroupName: expected prod-STACK-rg/);
    expect(message).toMatch(/vaultName: expected the vault prod-kv-XXXXXX/);
    expect(message).toMatch(/storageAccountId: expected the account prodstXXXXXXXX/);
  });
});
