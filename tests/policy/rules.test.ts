// The rules on hand-built resources: their metadata, and the edges the mutation suite does not reach.
import { generateKeyPairSync, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { LIST_KEYS_ACTION as PROGRAM_LIST_KEYS_ACTION, SEAT_SECRET_PERMISSIONS } from "../../lib/azure";
import { evaluate, fingerprint, LIST_KEYS_ACTION, PolicyResourceView, rules, VM_SECRET_PERMISSIONS } from "../../policy/rules";
import { ROOT } from "../helpers/program";

const ctx = { ephemeral: false };
let n = 0;
function view(type: string, inputs: Record<string, any>, extra: Partial<PolicyResourceView> = {}): PolicyResourceView {
  const name = extra.name ?? `r${++n}`;
  return { type: `azure-native:${type}`, name, urn: `urn:pulumi:t::p::azure-native:${type}::${name}`, inputs, props: inputs, ...extra };
}
const ids = (resources: PolicyResourceView[]) => evaluate(resources, ctx).map((v) => v.ruleId);

describe("rule metadata", () => {
  it("every rule has a unique kebab-case id, a why, a fix and a cited source", () => {
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(r.why.length).toBeGreaterThan(30);
      expect(r.fix.length).toBeGreaterThan(10);
      expect(r.source.length).toBeGreaterThan(0);
      if (r.enforcement === "mandatory") expect(r.source.join(" ")).toMatch(/seed step \d|MCSB [A-Z]{2}-\d|Checkov CKV2?_AZURE_\d+|tfsec azure-|pulumi-azure-native issue/);
    }
  });

  it("covers the issue's mandatory rules and keeps three advisory ones", () => {
    expect(rules.filter((r) => r.enforcement === "mandatory").length).toBeGreaterThanOrEqual(20);
    expect(rules.filter((r) => r.enforcement === "advisory").length).toBe(3);
  });

  it("the program's own grants are exactly what the policy allows (the policy keeps its own copy on purpose)", () => {
    expect([...SEAT_SECRET_PERMISSIONS]).toEqual([...VM_SECRET_PERMISSIONS]);
    expect(PROGRAM_LIST_KEYS_ACTION).toBe(LIST_KEYS_ACTION);
  });

  it("docs/reviewing-a-pr.md lists every rule id", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs/reviewing-a-pr.md"), "utf8");
    expect(rules.map((r) => r.id).filter((id) => !doc.includes(`\`${id}\``))).toEqual([]);
  });
});

describe("NSG rules", () => {
  const nsg = (rule: Record<string, unknown>) => [view("network:NetworkSecurityGroup", { securityRules: [{ name: "x", direction: "Inbound", access: "Allow", ...rule }] })];
  it.each([
    [{ sourceAddressPrefix: "Internet", destinationPortRange: "*" }, true],
    [{ sourceAddressPrefix: "*", destinationPortRange: "3389" }, true],
    [{ sourceAddressPrefixes: ["203.0.113.0/24", "0.0.0.0/0"], destinationPortRanges: ["80", "21-23"] }, true],
    [{ sourceAddressPrefix: "Any", destinationPortRange: "22" }, true],
    [{ sourceAddressPrefix: "203.0.113.0/24", destinationPortRange: "22" }, false],
    [{ sourceAddressPrefix: "*", destinationPortRange: "443" }, false],
    [{ sourceAddressPrefix: "*", destinationPortRange: "3000-4000" }, true], // covers 3389
    [{ sourceAddressPrefix: "*", destinationPortRange: "8000-9000" }, false],
    [{ sourceAddressPrefix: "*", destinationPortRange: "22", access: "Deny" }, false],
    [{ sourceAddressPrefix: "*", destinationPortRange: "22", direction: "Outbound" }, false],
  ])("%j open to the internet: %s", (rule, open) => {
    expect(ids(nsg(rule))).toEqual(open ? ["nsg-no-admin-ports-from-internet"] : []);
  });

  it("judges standalone SecurityRule resources too", () => {
    expect(ids([view("network:SecurityRule", { direction: "Inbound", access: "Allow", sourceAddressPrefix: "0.0.0.0/0", destinationPortRange: "22" })])).toEqual(["nsg-no-admin-ports-from-internet"]);
  });
});

describe("secret literals in scripts", () => {
  const runCommand = (source: Record<string, unknown>, extra: Record<string, unknown> = {}) => view("compute:VirtualMachineRunCommandByVirtualMachine", { source, ...extra });
  const literal = `v${randomBytes(10).toString("hex")}`;

  it.each([
    ["a quoted password", `password = "${literal}"`],
    ["a shell export", `export CLIENT_SECRET=${literal}`],
    // A real key, made at test time: no key material is ever committed. Its body carries the literal.
    ["a private key", `cat > k <<EOF\n${generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString().replace(/\n(?=-----END)/, `${literal}\n`)}EOF`],
    ["a SAS URL", `curl "https://a.blob.core.windows.net/c/b?sv=2021-08-06&sig=${randomBytes(24).toString("base64")}"`],
    ["a JWT", `curl -H "Authorization: Bearer eyJ${literal}abc.eyJ${literal}def.sig"`],
  ])("flags %s, without echoing it", (_what, script) => {
    const found = evaluate([runCommand({ script })], ctx);
    expect(found.map((v) => v.ruleId)).toEqual(["no-secret-literals-in-scripts"]);
    expect(JSON.stringify(found)).not.toContain(literal);
  });

  it.each([
    ["a token read at run time", 'TOKEN=$(curl -s -H "Metadata: true" "$IMDS")'],
    ["a secret's name", 'SECRET_NAME="SQLPasswd"\naz keyvault secret show --name "$SECRET_NAME"'],
    ["a quoted variable", 'password = "${PASSWORD}"'],
  ])("does not flag %s", (_what, script) => {
    expect(ids([runCommand({ script })])).toEqual([]);
  });

  const probe = path.join(ROOT, "scripts/vm-probe");
  (fs.existsSync(probe) ? it : it.skip)("does not flag the in-VM probe (scripts/vm-probe) run as a run command script", () => {
    expect(ids([runCommand({ script: fs.readFileSync(probe, "utf8") })])).toEqual([]);
  });

  it("flags the stack's own canary secret value inside a run command parameter, by fingerprint only", () => {
    const value = randomBytes(18).toString("base64");
    const found = evaluate([view("keyvault:Secret", { properties: { value } }, { name: "canary" }), runCommand({ script: "./probe" }, { parameters: [{ name: "nonce", value: `x-${value}` }] })], ctx);
    expect(found.map((v) => v.message)).toEqual([expect.stringContaining(`the value of Key Vault secret canary (${fingerprint(value)})`)]);
    expect(JSON.stringify(found)).not.toContain(value);
  });

  it("reads base64 custom data", () => {
    const customData = Buffer.from(`#!/bin/sh\nexport DB_PASSWORD=${literal}\n`).toString("base64");
    expect(ids([view("compute:VirtualMachine", { osProfile: { customData, linuxConfiguration: { disablePasswordAuthentication: true } }, hardwareProfile: { vmSize: "Standard_D4s_v5" } })])).toEqual([
      "no-secret-literals-in-scripts",
      "vm-auto-shutdown",
    ]);
  });
});

describe("inline access policies", () => {
  it("an inline policy that names a VM identity by its principal id is judged like a standalone one", () => {
    const vm = view("compute:VirtualMachine", { identity: { type: "SystemAssigned" }, osProfile: { linuxConfiguration: { disablePasswordAuthentication: true } } }, { name: "seat9-vm", parent: "urn:pulumi:t::p::lab:DataScienceVm::seat9" });
    const vmWithId = { ...vm, props: { ...vm.props, identity: { type: "SystemAssigned", principalId: "p-1" } } };
    const vault = view("keyvault:Vault", {
      properties: { enableRbacAuthorization: false, enablePurgeProtection: true, networkAcls: { defaultAction: "Deny" }, accessPolicies: [{ objectId: "p-1", permissions: { secrets: ["get", "list"] } }] },
    });
    const found = evaluate([vmWithId, vault], ctx).filter((v) => v.ruleId !== "vm-auto-shutdown");
    expect(found.map((v) => [v.ruleId, v.message])).toEqual([["kv-vm-secrets-get-set-only", expect.stringMatching(/^seat 9 identity has secret permissions \[get, list\] .*inline access policy #1.*remove \[list\]/)]]);
  });
});
