// examples/read-secret.ts, run as a seat would run it: ManagedIdentityCredential against the twin's IMDS
// (AZURE_POD_IDENTITY_AUTHORITY_HOST), SecretClient against the twin's HTTPS vault (NODE_EXTRA_CA_CERTS).
import { spawn } from "child_process";
import { createHash } from "crypto";
import * as path from "path";
import { useTwin } from "../twin/fixture";

const ROOT = path.resolve(__dirname, "../..");
const lab = useTwin({ seat1: "dsvmlab-vm1", operator: undefined });

function runExample(args: string[], who = "seat1"): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const {
    twin,
    id: { [who]: seat },
  } = lab;
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH ?? "", AZURE_POD_IDENTITY_AUTHORITY_HOST: seat.imdsUrl, NODE_EXTRA_CA_CERTS: twin.certs.caFile };
    const child = spawn(process.execPath, ["-r", "./scripts/register.js", "examples/read-secret.ts", ...args], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("examples/read-secret.ts", () => {
  it("reads the secret with the VM's identity and prints its length and hash, never the value", async () => {
    const {
      twin,
      id: { seat1: seat },
    } = lab;
    twin.reset();
    const value = `example-${Math.random().toString(36).slice(2)}`;
    twin.seedSecret("SQLPasswd", value);
    twin.setPolicy(seat.principalId, ["get", "set"]);
    const run = await runExample(["--vault-url", twin.vaultUrl]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const sha = createHash("sha256").update(value).digest("hex").slice(0, 8);
    expect(run.stdout).toMatch(new RegExp(`^SQLPasswd: ${value.length} chars, sha256 ${sha} \\(version [0-9a-f]{32}\\)\\n$`));
    expect(run.stdout + run.stderr).not.toContain(value);
    // It really went through IMDS as this seat: the vault saw this seat's identity.
    expect(twin.requests.some((r) => r.service === "vault" && r.status === 200 && r.principalId === seat.principalId)).toBe(true);
  });

  it("fails with Key Vault's reason when the identity may not get the secret", async () => {
    const {
      twin,
      id: { seat1: seat },
    } = lab;
    twin.reset();
    twin.seedSecret("SQLPasswd", "x");
    twin.setPolicy(seat.principalId, ["set"]);
    const run = await runExample(["--vault-url", twin.vaultUrl]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*does not have secrets get permission/);
  });

  it("is for seats: from the operator's side the vault firewall refuses it (kv-firewall-refusal), whatever the operator's policy", async () => {
    const {
      twin,
      id: { operator },
    } = lab;
    twin.reset();
    twin.seedSecret("SQLPasswd", "x");
    twin.setPolicy(operator.principalId, ["get", "list", "set"]);
    const run = await runExample(["--vault-url", twin.vaultUrl], "operator");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: Client address is not authorized and caller is not a trusted service\./);
  });

  it("refuses a vault URL that is not https, with exit 2", async () => {
    const run = await runExample(["--vault-url", "http://example.vault.azure.net/"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--vault-url "http:\/\/example.vault.azure.net\/": expected https:\/\//);
  });
});
