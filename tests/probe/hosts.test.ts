// Where the in-VM probes may send the VM's tokens and the storage key: only the Key Vault and Blob hosts of one Azure
// cloud, over https on the default port. Loopback (the local twin) only while the test-only PROBE_CA_FILE is set, which
// no flag or run command parameter can set. The Python probe runs here; vm-probe.ps1 is checked statically against
// it, and runs the same table where pwsh is on PATH. Conformance: cloud-keyvault-blob-dns-suffixes.
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { PROBE_FLAGS, probeArgs } from "../../probe/contract";
import { PROBE_PATH, PS_PROBE_PATH } from "../../probe/scripts";
import { PYTHON } from "../../twin/python";
import { useWarmPython } from "./warm-python";

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers";
const GOOD = {
  vaultUri: "https://kv-lab.vault.azure.net/",
  secretName: "SQLPasswd",
  storageAccountId: `${SUB}/Microsoft.Storage/storageAccounts/labstore`,
  blobEndpoint: "https://labstore.blob.core.windows.net/",
  deadlineSeconds: 1,
};

// The interpreter itself, not a version manager's shim in front of it: each run here starts one.
const PY = PYTHON;
let hasPwsh: boolean;
try {
  execFileSync("pwsh", ["-NoProfile", "-Command", "1"], { stdio: "pipe", timeout: 20000 });
  hasPwsh = true;
} catch {
  hasPwsh = false;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Connections the fake IMDS (a loopback listener) received: a refused probe must make none. */
  connections: number;
}

/**
 * Runs a probe with `args` and `env`; PROBE_IMDS_URL points at a listener that counts connections. The Python probe's
 * main() runs in the warm interpreter unless `own` asks for a process of its own (the end-to-end rows).
 */
async function run(runner: "python" | "pwsh", args: string[], env: Record<string, string> = {}, own = false): Promise<Run> {
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const imds = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const [cmd, ...pre] =
    runner === "python" ? [PY, PROBE_PATH] : ["pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-File", PS_PROBE_PATH];
  try {
    if (runner === "python" && !own) {
      const r = await python.run(args, { PROBE_IMDS_URL: imds, ...env });
      return { code: r.code, stdout: r.stdout, stderr: r.stderr, connections };
    }
    return await new Promise<Run>((resolve, reject) => {
      const child = spawn(cmd, [...pre, ...args], {
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", PROBE_IMDS_URL: imds, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d));
      child.stderr.on("data", (d: Buffer) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr, connections }));
    });
  } finally {
    server.close();
  }
}

/** The arguments with one flag's value replaced. */
function withFlag(flag: string, value: string): string[] {
  const args = probeArgs(GOOD);
  args[args.indexOf(flag) + 1] = value;
  return args;
}

const python = useWarmPython();
let caDir: string;
let caFile: string;
beforeAll(() => {
  caDir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-hosts-"));
  caFile = path.join(caDir, "ca.pem");
  fs.writeFileSync(caFile, require("tls").rootCertificates[0]);
});
afterAll(() => fs.rmSync(caDir, { recursive: true, force: true }));

// [flag, value]: refused always, test mode or not.
const ALWAYS_REFUSED: [string, string][] = [
  ["--vault-uri", "https://evil.example/"],
  ["--vault-uri", "https://vault.azure.net.evil.example/"],
  ["--vault-uri", "https://kv-lab.vault.azure.net.evil.example/"],
  ["--vault-uri", "http://kv-lab.vault.azure.net/"],
  ["--vault-uri", "https://kv-lab.vault.azure.net@evil.example/"],
  ["--vault-uri", "https://evil.example@kv-lab.vault.azure.net/"],
  ["--vault-uri", "https://user:pass@kv-lab.vault.azure.net/"],
  ["--vault-uri", "https://kv-lab.vault.azure.net:8443/"],
  ["--vault-uri", "https://kv-lab.vault.azure.net/evil"],
  ["--vault-uri", "https://kv-lab.vault.azure.net/?x=1"],
  ["--vault-uri", "https://kv-lab.vault.azure.net./"],
  ["--vault-uri", "https://kv-lab.vault.azure.net\\@evil.example/"],
  ["--vault-uri", "https://kv-lab.vault.azure.net#@evil.example/"],
  ["--vault-uri", "https://kv-lab.vault.azure.net\n"],
  ["--vault-uri", "https://kv-lab.v\u0430ult.azure.net/"],
  ["--vault-uri", "https://\u212av-lab.vault.azure.net/"],
  ["--vault-uri", "https://a.b.vault.azure.net/"],
  ["--vault-uri", "https://kv--lab.vault.azure.net/"],
  ["--vault-uri", "https://labstore.blob.core.windows.net/"],
  ["--vault-uri", "https://kv-lab.managedhsm.azure.net/"],
  ["--vault-uri", "http://127.0.0.1:8443/"],
  ["--blob-endpoint", "https://evil.example/"],
  ["--blob-endpoint", "http://labstore.blob.core.windows.net/"],
  ["--blob-endpoint", "https://labstore.blob.core.windows.net.evil.example/"],
  ["--blob-endpoint", "https://labstore.blob.core.windows.net@evil.example/"],
  ["--blob-endpoint", "https://labstore.blob.core.windows.net/container"],
  ["--blob-endpoint", "https://other.blob.core.windows.net/"],
  ["--blob-endpoint", "https://labstore.blob.core.chinacloudapi.cn/"],
  ["--blob-endpoint", "https://labstore.vault.azure.net/"],
  ["--blob-endpoint", "https://labstore.file.core.windows.net/"],
];
// Refused unless PROBE_CA_FILE is set (the twin).
const LOOPBACK: [string, string][] = [
  ["--vault-uri", "https://127.0.0.1:8443/"],
  ["--vault-uri", "https://localhost/"],
  ["--vault-uri", "https://[::1]:8443/"],
  ["--blob-endpoint", "http://127.0.0.1:10000/devstoreaccount1/"],
];

const RUNNERS = hasPwsh ? (["python", "pwsh"] as const) : (["python"] as const);
// End to end, one case per kind of trick (each run starts an interpreter); the whole table runs below in one process.
const E2E = new Set([
  "https://evil.example/",
  "https://kv-lab.vault.azure.net.evil.example/",
  "http://kv-lab.vault.azure.net/",
  "https://kv-lab.vault.azure.net@evil.example/",
  "https://labstore.blob.core.windows.net@evil.example/",
]);

/** endpoint_cloud(value, kind, env) of the real Python probe, imported as a module (nothing runs). */
function clouds(cases: [string, "vault" | "blob", Record<string, string>][]): (string | null)[] {
  const code = [
    "import importlib.machinery, importlib.util, json, sys",
    "loader = importlib.machinery.SourceFileLoader('vm_probe', sys.argv[1])",
    "mod = importlib.util.module_from_spec(importlib.util.spec_from_loader('vm_probe', loader))",
    "loader.exec_module(mod)",
    "print(json.dumps([mod.endpoint_cloud(v, k, e) for v, k, e in json.loads(sys.argv[2])]))",
  ].join("\n");
  return JSON.parse(execFileSync(PY, ["-I", "-B", "-c", code, PROBE_PATH, JSON.stringify(cases)], { encoding: "utf8" }));
}

describe.each(RUNNERS)("%s probe: the host allow-list", (runner) => {
  it.each(runner === "pwsh" ? ALWAYS_REFUSED : ALWAYS_REFUSED.filter(([, v]) => E2E.has(v)))(
    "refuses %s %j with exit 2, naming the flag, before any request (also in test mode)",
    async (flag, value) => {
      for (const env of [{}, { PROBE_CA_FILE: caFile }] as Record<string, string>[]) {
        const r = await run(runner, withFlag(flag, value), env, true);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain(`${flag} `);
        expect(r.stderr).toMatch(/expected/);
        expect(r.stderr).not.toMatch(/Traceback/);
        expect(r.connections).toBe(0);
      }
    },
  );

  it.each(LOOPBACK)("refuses the loopback %s %j unless PROBE_CA_FILE is set", async (flag, value) => {
    const refused = await run(runner, withFlag(flag, value));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/a loopback address only while PROBE_CA_FILE is set/);
    expect(refused.connections).toBe(0);
    // In test mode the probe goes on and asks IMDS (the listener) for a token, retrying for a fifth of a second.
    const accepted = await run(runner, [...withFlag(flag, value), "--deadline-seconds", "0.2"], {
      PROBE_CA_FILE: caFile,
      PROBE_BACKOFF_FIRST: "0.05",
    });
    expect(accepted.code).toBe(1);
    expect(JSON.parse(accepted.stdout).checks[0].name).toBe("vault-token");
    expect(accepted.connections).toBeGreaterThan(0);
  });

  it.each([
    ["PROBE_ARM_URL", "https://evil.example"],
    ["PROBE_ARM_URL", "https://management.azure.com.evil.example"],
    ["PROBE_ARM_URL", "https://127.0.0.1:9"],
    ["PROBE_IMDS_URL", "http://evil.example"],
  ])("refuses the override %s=%s outside test mode", async (name, value) => {
    const r = await run(runner, probeArgs(GOOD), { [name]: value });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${name} '${value}': expected`);
    expect(r.connections).toBe(0);
  });

  it("refuses PROBE_BACKOFF_FIRST outside test mode, however short", async () => {
    // IMDS at its real address (allowed outside test mode), so the refusal is the backoff's.
    const r = await run(runner, probeArgs(GOOD), { PROBE_IMDS_URL: "http://169.254.169.254", PROBE_BACKOFF_FIRST: "0.05" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("PROBE_BACKOFF_FIRST '0.05': expected seconds above 0, at most 0.5 (only while PROBE_CA_FILE is set");
  });

  it.each(["0", "-1", "0.6", "x", "nan"])(
    "refuses PROBE_BACKOFF_FIRST=%s even in test mode: above 0, at most the VM's 0.5 s",
    async (value) => {
      const r = await run(runner, probeArgs(GOOD), { PROBE_CA_FILE: caFile, PROBE_BACKOFF_FIRST: value });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`PROBE_BACKOFF_FIRST '${value}': expected seconds above 0, at most 0.5 (only while PROBE_CA_FILE is set`);
      expect(r.connections).toBe(0);
    },
  );

  it("refuses a non-loopback override even in test mode", async () => {
    const r = await run(runner, probeArgs(GOOD), { PROBE_CA_FILE: caFile, PROBE_ARM_URL: "https://evil.example" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("PROBE_ARM_URL 'https://evil.example': expected https://management.azure.com");
  });
});

describe("python probe: which hosts are accepted, and for which cloud", () => {
  it("refuses every host of the table, in test mode too", () => {
    const cases = ALWAYS_REFUSED.flatMap(([flag, v]) =>
      ([{}, { PROBE_CA_FILE: "/x.pem" }] as Record<string, string>[]).map((e): [string, "vault" | "blob", Record<string, string>] => [
        v,
        flag === "--vault-uri" ? "vault" : "blob",
        e,
      ]),
    );
    // The blob cases that name a real cloud's blob host are refused only as a pair (another cloud, another account).
    const pairOnly = new Set(["https://other.blob.core.windows.net/", "https://labstore.blob.core.chinacloudapi.cn/"]);
    const got = clouds(cases);
    cases.forEach(([v], i) => expect([v, got[i]]).toEqual([v, pairOnly.has(v) ? expect.any(String) : null]));
  });

  it("accepts each cloud's Key Vault and Blob hosts (any letter case, optional :443 and slash), and loopback only in test mode", () => {
    const test = { PROBE_CA_FILE: "/x.pem" };
    expect(
      clouds([
        ["https://kv-lab.vault.azure.net/", "vault", {}],
        ["https://KV-Lab.Vault.Azure.Net:443", "vault", {}],
        ["https://kv-lab.vault.azure.cn/", "vault", {}],
        ["https://kv-lab.vault.usgovcloudapi.net/", "vault", {}],
        ["https://labstore.blob.core.windows.net/", "blob", {}],
        ["https://labstore.blob.core.chinacloudapi.cn/", "blob", {}],
        ["https://labstore.blob.core.usgovcloudapi.net/", "blob", {}],
        ["https://127.0.0.1:8443/", "vault", {}],
        ["https://127.0.0.1:8443/", "vault", test],
        ["http://127.0.0.1:10000/devstoreaccount1/", "blob", test],
        ["http://127.0.0.1:10000/devstoreaccount1/", "vault", test],
        ["https://evil.example/", "vault", test],
      ]),
    ).toEqual([
      "AzureCloud",
      "AzureCloud",
      "AzureChinaCloud",
      "AzureUSGovernment",
      "AzureCloud",
      "AzureChinaCloud",
      "AzureUSGovernment",
      null,
      "loopback",
      "loopback",
      null,
      null,
    ]);
  });

  it("asks IMDS for the token of the vault's own cloud, and refuses a vault and blob endpoint of two clouds", () => {
    const src = fs.readFileSync(PROBE_PATH, "utf8");
    expect(src).toContain('self.token(self.args.cloud["vault_resource"])');
    expect(src).toContain('self.token(self.args.cloud["arm"] + "/")');
    const r = (() => {
      try {
        execFileSync(PY, [PROBE_PATH, ...probeArgs({ ...GOOD, vaultUri: "https://kv-lab.vault.usgovcloudapi.net/" })], {
          encoding: "utf8",
          stdio: "pipe",
          env: { PATH: process.env.PATH },
        });
        return { status: 0, stderr: "" };
      } catch (e: any) {
        return { status: e.status, stderr: String(e.stderr) };
      }
    })();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--blob-endpoint .*expected the blob endpoint of the vault's cloud \(AzureUSGovernment\), not of AzureCloud/);
  });

  it("has no flag that turns on loopback or test endpoints: only PROBE_CA_FILE does, and verify and InVmCheck send flags only", () => {
    const src = fs.readFileSync(PROBE_PATH, "utf8");
    const flags = [...src.matchAll(/add_argument\("(--[a-z-]+)"/g)].map((m) => m[1]).sort();
    expect(flags).toEqual([...PROBE_FLAGS].sort());
    expect(/def test_mode\(env\):[\s\S]*?return bool\(env.get\("PROBE_CA_FILE"\)\)/.test(src)).toBe(true);
    expect(src.match(/test_mode\(/g)!.length).toBeGreaterThanOrEqual(3);
  });
});

describe("vm-probe.ps1 holds the same allow-list (statically)", () => {
  const py = fs.readFileSync(PROBE_PATH, "utf8");
  const ps = fs.readFileSync(PS_PROBE_PATH, "utf8");

  it("has the same clouds: suffixes, Key Vault token resource and ARM endpoint", () => {
    const pyClouds = [
      ...py.matchAll(/"(Azure\w+)": \{"vault": "([^"]+)", "blob": "([^"]+)", "vault_resource": ([^,]+), "arm": ([^}]+)\}/g),
    ].map((m) => m.slice(1));
    const psClouds = [
      ...ps.matchAll(/^ {4}(Azure\w+) = @\{ vault = '([^']+)'; blob = '([^']+)'; vault_resource = ([^;]+); arm = ([^}]+?) \}/gm),
    ].map((m) => m.slice(1));
    expect(pyClouds.map((c) => c[0])).toEqual(["AzureCloud", "AzureChinaCloud", "AzureUSGovernment"]);
    const norm = (v: string) =>
      v
        .replace(/^'|'$/g, "")
        .replace(/^"|"$/g, "")
        .replace(/^\$/, "")
        .replace(/\.TrimEnd\('\/'\)$|\.rstrip\("\/"\)$/, "");
    expect(psClouds.map((c) => c.map(norm))).toEqual(pyClouds.map((c) => c.map(norm)));
  });

  it("has the same URL shapes, ASCII-only rule and test-mode switch", () => {
    for (const name of ["CLOUD_URL", "VAULT_NAME", "ACCOUNT_NAME", "LOOPBACK_URL"]) {
      const a = new RegExp(`^${name} = re\\.compile\\(r"([^"]+)"`, "m").exec(py)![1];
      const b = new RegExp(`^\\$${name} = '\\^([^']+)\\\\z'`, "m").exec(ps)![1];
      expect([name, b]).toEqual([name, a]);
    }
    expect(ps).toContain("$testMode = [bool][Environment]::GetEnvironmentVariable('PROBE_CA_FILE')");
    expect(ps).toContain("if ($Value -cmatch '[^\\x21-\\x7e]') { return $null }");
    expect(ps).toMatch(/\$m\.Success -and \$testMode -and \(\$m\.Groups\[1\]\.Value -ceq 'https' -or \$Kind -eq 'blob'\)/);
    // The run asks for the cloud's tokens, and the overrides are held to the same rule.
    expect(ps).toContain("Invoke-Check 'vault-token' $tokenAttempt $cloud.vault_resource");
    expect(ps).toContain("Invoke-Check 'arm-token' $tokenAttempt ($cloud.arm + '/')");
    expect(ps).toMatch(/@\('PROBE_ARM_URL', \$arm, \$cloud\.arm\), @\('PROBE_IMDS_URL', \$imds, \$IMDS_URL\)/);
    expect(ps).not.toMatch(/Assert-Endpoint/);
  });

  it("gives the same messages", () => {
    for (const text of [
      "expected an https:// URL, {2}{3}; a loopback address only while PROBE_CA_FILE is set",
      "expected the blob endpoint of the vault's cloud ({1}), not of {2}",
      "expected the blob endpoint of the account {1} in --storage-account-id",
      "(loopback only while PROBE_CA_FILE is set, for tests)",
    ]) {
      expect(ps).toContain(text);
      expect(py).toContain(
        text.replace("{2}{3}", "%s%s").replace("({1}), not of {2}", "(%s), not of %s").replace("account {1}", "account %s"),
      );
    }
  });
});
