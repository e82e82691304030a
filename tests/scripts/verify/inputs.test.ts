// verify's inputs, bounded: the --outputs file (regular file, size, seat count, the shapes of the names and ids the
// program creates; conformance: cloud-keyvault-blob-dns-suffixes) and the text VMs report (no escape sequence or control character reaches the terminal).
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { printable } from "../../../lib/printable";
import { parseProbeReport, runCommandStreams } from "../../../probe/report";
import { PROBE_CHECKS } from "../../../probe/contract";
import { UsageError } from "../../../scripts/shared/cli";
import { MAX_SEATS } from "../../../scripts/verify/output-shapes";
import { RULES } from "../../../lib/config/rules";
import { reportError, UsageError as CliUsageError } from "../../../scripts/shared/cli";
import { MAX_OUTPUTS_BYTES, MAX_OUTPUTS_DEPTH, parseOutputs, readOutputsFile } from "../../../scripts/verify/outputs";
import { verifyCli } from "../../../scripts/verify/verify";

const ROOT = path.resolve(__dirname, "../../..");
const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/dsvmlab-dev-rg/providers";
const ESC = "\u001b";

function seat(n: number, prefix = "dsvmlab", sub = SUB) {
  const vmName = `${prefix}-vm${n}`;
  return {
    seat: n,
    vmName,
    vmId: `${sub}/Microsoft.Compute/virtualMachines/${vmName}`,
    principalId: "11111111-2222-3333-4444-555555555555",
    privateIp: "10.42.1.4",
    vaultName: `${prefix}-kv-abc123`,
    vaultUri: `https://${prefix}-kv-abc123.vault.azure.net/`,
  };
}
/** A valid outputs object, as index.ts exports them (stack "dev", namePrefix "dsvmlab"). */
function outputs(over: Record<string, unknown> = {}, seats = 2) {
  return {
    resourceGroupName: "dsvmlab-dev-rg",
    vaultName: "dsvmlab-kv-abc123",
    vaultUri: "https://dsvmlab-kv-abc123.vault.azure.net/",
    secretName: "SQLPasswd",
    storageAccountName: "dsvmlabstabc12345",
    storageAccountId: `${SUB}/Microsoft.Storage/storageAccounts/dsvmlabstabc12345`,
    blobEndpoint: "https://dsvmlabstabc12345.blob.core.windows.net/",
    os: "ubuntu",
    seatVms: Array.from({ length: seats }, (_, i) => seat(i + 1)),
    ...over,
  };
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-inputs-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const quiet = { stdout: { write: () => 0 }, stderr: { write: () => 0 } };
async function usageError(argv: string[]): Promise<string> {
  const makeDeps = jest.fn();
  const err = await verifyCli(argv, quiet, makeDeps).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  expect(makeDeps).not.toHaveBeenCalled();
  return (err as Error).message;
}

describe("verify --outputs FILE: only a bounded regular file", () => {
  it("refuses /dev/zero at once, without reading it", async () => {
    const t0 = Date.now();
    expect(await usageError(["--outputs", "/dev/zero"])).toMatch(
      /^--outputs \/dev\/zero: not a regular file \(a device, pipe or directory\); expected the file that `pulumi stack output --json > FILE` writes$/,
    );
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it("refuses a named pipe with no writer without waiting for one, and a directory", async () => {
    const fifo = path.join(dir, "outputs.fifo");
    execFileSync("mkfifo", [fifo]);
    expect(await usageError(["--outputs", fifo])).toMatch(/: not a regular file/);
    expect(await usageError(["--outputs", dir])).toMatch(/: not a regular file/);
  });

  it(`refuses a file over ${MAX_OUTPUTS_BYTES / 1024 / 1024} MiB, naming its size`, async () => {
    const big = path.join(dir, "big.json");
    fs.writeFileSync(big, Buffer.alloc(MAX_OUTPUTS_BYTES + 1, 0x20));
    expect(await usageError(["--outputs", big])).toMatch(
      new RegExp(`${MAX_OUTPUTS_BYTES + 1} bytes, more than the 4 MiB an outputs file may hold`),
    );
  });

  it(`reads the largest lab's outputs (${MAX_SEATS} seats, longest names, pretty-printed as pulumi does) within the bound`, () => {
    // namePrefix of 10 characters, a stack slug of 40 (lib/config stackSlug's bound).
    const rg = `abcdefghij-${"s".repeat(40)}-rg`;
    const sub = SUB.replace("dsvmlab-dev-rg", rg);
    const largest = outputs(
      {
        resourceGroupName: rg,
        vaultName: "abcdefghij-kv-abc123",
        vaultUri: "https://abcdefghij-kv-abc123.vault.azure.net/",
        storageAccountId: `${sub}/Microsoft.Storage/storageAccounts/abcdefghijst12345678`,
        blobEndpoint: "https://abcdefghijst12345678.blob.core.windows.net/",
      },
      MAX_SEATS,
    );
    largest.seatVms = largest.seatVms.map((s) => seat(s.seat, "abcdefghij", sub));
    const file = path.join(dir, "largest.json");
    fs.writeFileSync(file, JSON.stringify(largest, null, 4));
    expect(fs.statSync(file).size).toBeLessThan(MAX_OUTPUTS_BYTES * 0.75);
    expect(readOutputsFile(file).seatVms).toHaveLength(MAX_SEATS);
  });

  it("exits 2 from the command line on /dev/zero, with the message and no stack trace", async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["-r", "./scripts/register.js", "scripts/verify/index.ts", "--outputs", "/dev/zero"], {
        cwd: ROOT,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let err = "";
      child.stderr.on("data", (d) => (err += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), 60000);
      child.on("close", (c) => {
        clearTimeout(timer);
        resolve({ code: c, stderr: err });
      });
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^--outputs \/dev\/zero: not a regular file/);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 70000);
});

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

/** The message parseOutputs throws, or "" when it accepts. */
function refusal(o: unknown, testEndpoints?: Parameters<typeof parseOutputs>[2]): string {
  try {
    parseOutputs(o, "--outputs o.json", testEndpoints);
    return "";
  } catch (e) {
    expect(e).toBeInstanceOf(CliUsageError);
    return (e as Error).message;
  }
}

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

describe("verify --outputs FILE: nesting is bounded (no recursion without a limit)", () => {
  const deep = (depth: number) => "[".repeat(depth) + "1" + "]".repeat(depth);

  it.each([
    ["seatVms nested 200 000 deep", () => JSON.stringify({ ...outputs(), seatVms: "X" }).replace('"X"', deep(200000))],
    ["a document that is only nesting, 200 000 deep", () => deep(200000)],
    ["objects nested 10 deep", () => JSON.stringify({ ...outputs(), extra: JSON.parse('{"a":'.repeat(10) + "1" + "}".repeat(10)) })],
  ])("refuses %s with exit 2 and a message, not a stack overflow", async (_label, text) => {
    const file = path.join(dir, "deep.json");
    fs.writeFileSync(file, text());
    const makeDeps = jest.fn();
    const err = await verifyCli(["--outputs", file], quiet, makeDeps).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(reportError(err)).toEqual({
      code: 2,
      text: expect.stringMatching(new RegExp(`nested more than ${MAX_OUTPUTS_DEPTH} levels deep`)),
    });
    expect(makeDeps).not.toHaveBeenCalled();
  });

  it("refuses an already-parsed value nested 200 000 deep (the --stack path), without recursing", () => {
    let v: unknown = 1;
    for (let i = 0; i < 200000; i++) v = [v];
    expect(refusal({ ...outputs(), seatVms: v })).toMatch(/nested more than 8 levels deep/);
    expect(refusal(outputs())).toBe("");
  });
});

describe("verify --outputs FILE: config's rules, and no loopback endpoint from a file", () => {
  it.each(["9abc", "-x", "a_b", "a".repeat(122), "ab\u00e9"])("takes secretName %j exactly as config does (refused)", (name) => {
    expect(() =>
      RULES.secretName(
        name,
        () => {
          throw new Error("refused");
        },
        {} as never,
      ),
    ).toThrow("refused");
    expect(refusal(outputs({ secretName: name }))).toMatch(/secretName: expected a Key Vault secret name as config allows it/);
  });

  it.each(["A", "SQLPasswd", "a-1", "a".repeat(121)])("takes secretName %j exactly as config does (accepted)", (name) => {
    expect(
      RULES.secretName(
        name,
        () => {
          throw new Error("refused");
        },
        {} as never,
      ),
    ).toBe(name);
    expect(refusal(outputs({ secretName: name }))).toBe("");
  });

  const LOOPBACK = { vaultUri: "https://localhost:1/", vaultName: "dsvmlab-kv-abc123" };
  it.each([
    ["a loopback vaultUri", LOOPBACK, /vaultUri: expected https:\/\/NAME\.vault\.azure\.net\/, got "https:\/\/localhost:1\/"/],
    ["a 127.0.0.1 vaultUri", { vaultUri: "https://127.0.0.1:8443/" }, /vaultUri: expected https:\/\/NAME\.vault\.azure\.net\//],
    [
      "a seat's loopback vaultUri",
      { seatVms: [{ ...seat(1), vaultUri: "https://[::1]:9/" }] },
      /seatVms\[0\]\.vaultUri: expected the seat's vault URI/,
    ],
    [
      "a loopback blobEndpoint",
      { blobEndpoint: "http://127.0.0.1:10000/dsvmlabstabc12345/" },
      /blobEndpoint: expected https:\/\/ACCOUNT\.blob\.core\.windows\.net\//,
    ],
  ])("refuses %s from the file alone", (_label, over, message) => {
    expect(refusal(outputs(over as Record<string, unknown>))).toMatch(message as RegExp);
  });

  it("accepts loopback endpoints only through the test-only injection, which the shipped command never passes", () => {
    const o = outputs({
      ...LOOPBACK,
      blobEndpoint: "http://127.0.0.1:10000/dsvmlabstabc12345/",
      seatVms: [{ ...seat(1), vaultUri: "https://localhost:1/" }],
    });
    expect(refusal(o)).not.toBe("");
    expect(refusal(o, { loopback: true })).toBe("");
    // scripts/verify/index.ts calls verifyCli with argv, io and the credential factory: no fourth argument.
    const shipped = fs.readFileSync(path.join(ROOT, "scripts/verify/index.ts"), "utf8");
    expect(shipped).toMatch(/verifyCli\(process\.argv\.slice\(2\), process, async \(\) => \{[\s\S]*?\}\),\n\);/);
    expect(shipped).not.toMatch(/loopback|TestEndpoints|TWIN_ENDPOINTS/);
  });
});

describe("what a VM reports is printed, never acted on", () => {
  const report = (detail: string) =>
    JSON.stringify({
      ok: false,
      checks: PROBE_CHECKS.map((name) => ({ name, ok: false, status: "failed", detail, attempts: 1, seconds: 0 })),
    });

  it.each([
    ["a CSI colour and screen clear", `${ESC}[31mred${ESC}[0m ${ESC}[2J`, "red "],
    ["an OSC title change (BEL and ST ends)", `a${ESC}]0;owned\u0007b${ESC}]8;;http://x${ESC}\\c`, "abc"],
    ["8-bit CSI and other C1 controls", "a\u009b31mb\u0085c\u008ed", "abcd"],
    ["C0 controls, DEL, backspaces over text", "ok\b\b\bFAIL\u0000\u007f\u0007", "okFAIL"],
    ["bidi overrides and zero-width marks", "pass\u202edeliaf\u202c\u200b\u2066x\u2069", "passdeliafx"],
    ["newlines that would forge table rows", "x\nsecret-get  ok\r\ny", "x secret-get  ok y"],
  ])("strips %s from a check's detail", (_label, detail, clean) => {
    expect(parseProbeReport(report(detail))!.checks[0].detail).toBe(clean);
  });

  it("strips them from a run command's stderr and state, keeping line breaks in stderr", () => {
    const s = runCommandStreams([
      {
        code: "ProvisioningState/succeeded",
        displayStatus: `ok${ESC}[8m`,
        message: `Enable succeeded: \n[stdout]\n{}\n[stderr]\nline 1${ESC}[2K\nline\u009b2 2\n`,
      },
    ]);
    expect(s.state).toBe("ok");
    expect(s.stderr).toBe("line 1\nline2 2\n");
  });

  it("printable() keeps ordinary text, including non-ASCII letters", () => {
    expect(printable("café – naïve 日本 ok")).toBe("café – naïve 日本 ok");
    expect(printable("a\tb\nc", true)).toBe("a b\nc");
  });
});
