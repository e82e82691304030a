// Read a Key Vault secret from a lab VM with the VM's own managed identity: the modern form of the seeds' Python
// snippet (MSIAuthentication + KeyVaultClient, api-version 2016-10-01). No credential anywhere in code or config.
//
// On a seat (Node 20 and this repository, `npm ci` done):
//   node -r ./scripts/register.js examples/read-secret.ts --vault-url https://<vault>.vault.azure.net/ [--secret SQLPasswd]
//
// It prints the secret's length and a short SHA-256 prefix, never the value: use the value in your code, don't print it.
import { createHash } from "crypto";
import { parseArgs } from "util";
import { ManagedIdentityCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { "vault-url": { type: "string" }, secret: { type: "string", default: "SQLPasswd" } },
    strict: true,
  });
  const vaultUrl = values["vault-url"];
  if (!vaultUrl || !/^https:\/\//.test(vaultUrl)) {
    process.stderr.write(
      `--vault-url ${JSON.stringify(vaultUrl ?? "")}: expected https://<vault>.vault.azure.net/ (the stack output vaultUri)\n`,
    );
    return 2;
  }
  // The VM's system-assigned identity, from IMDS (169.254.169.254): what the seeds' MSIAuthentication did.
  const credential = new ManagedIdentityCredential();
  // Key Vault's challenge names the resource to get a token for; the SDK checks it matches the vault's domain.
  // Only a vault on this machine (the tests' local twin) is exempt.
  const local = ["127.0.0.1", "localhost", "[::1]"].includes(new URL(vaultUrl).hostname);
  const client = new SecretClient(vaultUrl, credential, { disableChallengeResourceVerification: local });

  const secret = await client.getSecret(values.secret!);
  const value = secret.value ?? "";
  const sha = createHash("sha256").update(value, "utf8").digest("hex").slice(0, 8);
  process.stdout.write(`${secret.name}: ${value.length} chars, sha256 ${sha} (version ${secret.properties.version})\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(1);
  },
);
