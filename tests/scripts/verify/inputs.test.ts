// verify's inputs, bounded: the --outputs file (regular file, size, seat count, the shapes of the names and ids the
// program creates; conformance: cloud-keyvault-blob-dns-suffixes) and the text VMs report (no escape sequence or control character reaches the terminal).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { printable } from "../../../lib/printable";
import { parseProbeReport, runCommandStreams } from "../../../probe/report";
import { PROBE_CHECKS } from "../../../probe/contract";
import { MAX_SEATS } from "../../../scripts/verify/output-shapes";
import { RULES } from "../../../lib/config/rules";
import { reportError } from "../../../scripts/shared/cli";
import { MAX_OUTPUTS_BYTES, MAX_OUTPUTS_DEPTH, readOutputsFile } from "../../../scripts/verify/outputs";
import { verifyCli } from "../../../scripts/verify/cli";
import { SUB, ESC, seat, outputs, quiet, usageError, refusal } from "./inputs-fixture";
import { runInProcess } from "../shared/command";

const ROOT = path.resolve(__dirname, "../../..");

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-inputs-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

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

  // The command's main with Azure's credential (scripts/verify/index.ts), in this process; verify.test.ts runs it as a
  // child process.
  it("exits 2 from the command line on /dev/zero, with the message and no stack trace", async () => {
    const { status: code, stdout, stderr } = await runInProcess("scripts/verify/index.ts", ["--outputs", "/dev/zero"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^--outputs \/dev\/zero: not a regular file/);
    expect(stderr).not.toMatch(/\n\s+at /);
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
    expect(shipped).toMatch(/return verifyCli\(argv, io, async \(\) => \{[\s\S]*?\n {2}\}\);\n\}/);
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
