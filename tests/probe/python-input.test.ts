// The Python probe's input: bad flags and every storage account id trick are refused with exit 2, naming the flag,
// before any request; and the probe is one executable file of the standard library only.
import { probeArgs as targetArgs } from "../../probe/contract";
import { PROBE, runProbe } from "../../twin/probe";
import { PYTHON } from "../../twin/python";
import { useCountingEndpoints } from "./counting-endpoints";
import { BAD_STORAGE_IDS, GOOD_STORAGE_IDS } from "./storage-ids";
import { useWarmPython } from "./warm-python";

const endpoints = useCountingEndpoints();
const python = useWarmPython();
beforeEach(() => endpoints.reset());

/** Good arguments in test mode, pointed at the counting endpoints: accepted, the probe would connect there. */
const probeArgs = (deadlineSeconds: number) =>
  targetArgs({
    vaultUri: endpoints.vaultUri,
    secretName: "SQLPasswd",
    storageAccountId: GOOD_STORAGE_IDS[0],
    blobEndpoint: endpoints.blobEndpoint,
    deadlineSeconds,
  });

describe("python probe: input", () => {
  it.each([
    [["--vault-uri", "http://example.vault.azure.net/"], /--vault-uri 'http:\/\/example.vault.azure.net\/': expected an https:\/\/ URL/],
    [["--blob-endpoint", "http://lab.blob.core.windows.net/"], /--blob-endpoint .*http:\/\/ only on a loopback address/],
    [
      ["--storage-account-id", "/subscriptions/x/storageAccounts/y"],
      /--storage-account-id .*expected \/subscriptions\/GUID\/resourceGroups/,
    ],
    [["--secret", "bad_name"], /--secret 'bad_name': expected 1-121 letters, digits and hyphens/],
    [["--deadline-seconds", "0"], /--deadline-seconds 0.0: expected a number of seconds above 0/],
  ])("refuses bad input %j with exit 2 and a message naming the flag (its own process), before any request", async (override, message) => {
    const args = probeArgs(5);
    const i = args.indexOf(override[0] as string);
    args[i + 1] = override[1] as string;
    const run = await runProbe(args, endpoints.env);
    expect(endpoints.connections()).toBe(0);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(message as RegExp);
    expect(run.stderr).not.toMatch(/Traceback/);
  });

  it.each(BAD_STORAGE_IDS)("refuses a --storage-account-id with %s: exit 2 naming the flag, before any request", async (_why, id) => {
    const args = probeArgs(5);
    args[args.indexOf("--storage-account-id") + 1] = id;
    const run = await python.run(args, endpoints.env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /--storage-account-id .*expected \/subscriptions\/GUID\/resourceGroups\/RG\/providers\/Microsoft\.Storage\/storageAccounts\/NAME/,
    );
    expect(run.stderr).not.toMatch(/Traceback/);
    expect(endpoints.connections()).toBe(0);
  });

  it("control: good arguments are accepted, and the probe connects to the endpoints (so the refusals above came first)", async () => {
    const run = await python.run(probeArgs(0.2), { ...endpoints.env, PROBE_BACKOFF_FIRST: "0.05" });
    expect(run.code).toBe(1);
    expect(run.check("vault-token").detail).toMatch(/connection error/);
    expect(endpoints.connections()).toBeGreaterThan(0);
  });

  it("accepts every well-formed storage account id (ARM's resource group characters, Storage's account names)", () => {
    const { execFileSync } = require("child_process") as typeof import("child_process");
    const code = `import importlib.machinery, importlib.util, json, sys
l = importlib.machinery.SourceFileLoader("p", sys.argv[1]); s = importlib.util.spec_from_loader("p", l); m = importlib.util.module_from_spec(s); l.exec_module(m)
print(json.dumps([bool(m.STORAGE_ACCOUNT_ID.fullmatch(x)) for x in json.loads(sys.argv[2])]))`;
    const ids = [...GOOD_STORAGE_IDS, ...BAD_STORAGE_IDS.map(([, id]) => id)];
    const out = JSON.parse(execFileSync(PYTHON, ["-I", "-B", "-c", code, PROBE, JSON.stringify(ids)], { encoding: "utf8" }));
    expect(out).toEqual(ids.map((_, i) => i < GOOD_STORAGE_IDS.length));
  });

  it("is one executable Python file that uses the standard library only", () => {
    const fs = require("fs") as typeof import("fs");
    const src = fs.readFileSync(PROBE, "utf8");
    expect(src.startsWith("#!/usr/bin/env -S python3 -I\n")).toBe(true);
    expect(fs.statSync(PROBE).mode & 0o111).not.toBe(0);
    const imported = [...src.matchAll(/^(?:import ([a-z_.]+)$|from ([a-z_.]+) import )/gm)].map((m) => (m[1] ?? m[2]).split(".")[0]);
    expect(imported.length).toBeGreaterThan(10);
    const stdlib = new Set([
      "argparse",
      "base64",
      "hashlib",
      "hmac",
      "http",
      "ipaddress",
      "json",
      "os",
      "random",
      "re",
      "secrets",
      "socket",
      "ssl",
      "sys",
      "time",
      "urllib",
      "email",
    ]);
    expect(imported.filter((m) => !stdlib.has(m))).toEqual([]);
  });
});
