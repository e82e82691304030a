// The rules on hand-built resources: their metadata, the baseline against the program's constants, and the edges
// the regression suite does not reach (each rule family alone).
import { generateKeyPairSync, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
  LAB_CUSTOM_ROLES,
  LIST_KEYS_ACTION as PROGRAM_LIST_KEYS_ACTION,
  OPERATOR_SECRET_PERMISSIONS as PROGRAM_OPERATOR,
  SEAT_SECRET_DATA_ACTIONS,
  SEAT_SECRET_PERMISSIONS,
  subscriptionScope,
} from "../../lib/azure";
import { customRoleGuid } from "../../lib/naming";
import { DECLARED_CUSTOM_ROLES } from "../../policy/allow-list";
import { rangeProblems } from "../../policy/families/ingress";
import { roleOf } from "../../policy/graph";
import {
  evaluate,
  fingerprint,
  LIST_KEYS_ACTION,
  OPERATOR_SECRET_PERMISSIONS,
  PolicyContext,
  PolicyResourceView,
  rules,
  VM_SECRET_DATA_ACTIONS,
  VM_SECRET_PERMISSIONS,
} from "../../policy/rules";
import { passwordLoginIn } from "../../policy/secrets";
import { ROOT } from "../helpers/program";

const ctx: PolicyContext = { ephemeral: false, allowedSshCidrs: ["203.0.113.0/24"], subnetPrefix: "10.42.1.0/24" };
let n = 0;
function view(type: string, inputs: Record<string, any>, extra: Partial<PolicyResourceView> = {}): PolicyResourceView {
  const name = extra.name ?? `r${++n}`;
  return { type: `azure-native:${type}`, name, urn: `urn:pulumi:t::p::azure-native:${type}::${name}`, inputs, props: inputs, ...extra };
}
/** The ids one rule fires on these resources. */
const fires = (id: string, resources: PolicyResourceView[], c: PolicyContext = ctx) =>
  evaluate(
    resources,
    c,
    rules.filter((r) => r.id === id),
  );

describe("rule metadata", () => {
  it("every rule has a unique kebab-case id, a why, a fix and a cited source", () => {
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(r.why.length).toBeGreaterThan(30);
      expect(r.fix.length).toBeGreaterThan(10);
      expect(r.source.length).toBeGreaterThan(0);
      if (r.enforcement === "mandatory")
        expect(r.source.join(" ")).toMatch(/seed step \d|MCSB [A-Z]{2}-\d|Checkov CKV2?_AZURE_\d+|tfsec azure-|pulumi-azure-native issue/);
    }
  });

  it("has a rule per inventory and check family, and three advisory ones", () => {
    const ids = rules.map((r) => r.id);
    for (const prefix of ["grant-", "ingress-", "inventory-", "credential-", "lifecycle-"])
      expect(ids.filter((id) => id.startsWith(prefix)).length).toBeGreaterThanOrEqual(3);
    expect(rules.filter((r) => r.enforcement === "advisory").length).toBe(3);
  });

  it("the program's grants are exactly what the policy's own baseline allows", () => {
    expect([...SEAT_SECRET_PERMISSIONS]).toEqual([...VM_SECRET_PERMISSIONS]);
    expect([...PROGRAM_OPERATOR]).toEqual([...OPERATOR_SECRET_PERMISSIONS]);
    expect(PROGRAM_LIST_KEYS_ACTION).toBe(LIST_KEYS_ACTION);
    expect([...SEAT_SECRET_DATA_ACTIONS]).toEqual([...VM_SECRET_DATA_ACTIONS]);
    for (const c of DECLARED_CUSTOM_ROLES)
      expect({ actions: [...LAB_CUSTOM_ROLES[c.key].actions], dataActions: [...LAB_CUSTOM_ROLES[c.key].dataActions] }).toEqual({
        actions: [...c.actions],
        dataActions: [...c.dataActions],
      });
  });

  it("docs/reviewing-a-pr.md lists every rule id", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs/reviewing-a-pr.md"), "utf8");
    expect(rules.map((r) => r.id).filter((id) => !doc.includes(`\`${id}\``))).toEqual([]);
  });

  it("no policy file is over 400 lines", () => {
    const files = ["policy", "policy/families"].flatMap((d) =>
      fs
        .readdirSync(path.join(ROOT, d))
        .filter((f) => f.endsWith(".ts"))
        .map((f) => path.join(ROOT, d, f)),
    );
    expect(files.filter((f) => fs.readFileSync(f, "utf8").split("\n").length > 400)).toEqual([]);
  });
});

describe("ingress-nsg-rules", () => {
  const nsg = (rule: Record<string, unknown>) => [
    view("network:NetworkSecurityGroup", { securityRules: [{ name: "x", direction: "Inbound", access: "Allow", ...rule }] }),
  ];
  it.each([
    [{ sourceAddressPrefix: "203.0.113.0/24", destinationPortRange: "22" }, false],
    [{ sourceAddressPrefixes: ["203.0.113.0/24"], destinationPortRange: "22" }, false],
    [{ sourceAddressPrefix: "10.42.1.0/24", destinationPortRange: "8000" }, false], // the lab subnet
    [{ sourceAddressPrefix: "10.42.1.16/28", destinationPortRange: "*" }, false],
    [{ sourceAddressPrefix: "*", destinationPortRange: "22", access: "Deny" }, false],
    [{ sourceAddressPrefix: "*", destinationPortRange: "22", direction: "Outbound" }, false],
    [{ sourceAddressPrefix: "203.0.113.0/24", destinationPortRange: "23" }, true],
    [{ sourceAddressPrefix: "203.0.113.0/24", destinationPortRange: "20-30" }, true],
    [{ sourceAddressPrefix: "203.0.113.0/25", destinationPortRange: "22" }, true], // not the configured string
    [{ sourceAddressPrefix: "10.42.0.0/16", destinationPortRange: "22" }, true], // wider than the lab subnet
    [{ sourceAddressPrefix: "Internet", destinationPortRange: "443" }, true],
    [{ sourceAddressPrefix: "AzureCloud.westeurope", destinationPortRange: "22" }, true],
    [{ sourceAddressPrefix: "Any", destinationPortRange: "22" }, true],
    [{ sourceAddressPrefix: "::/0", destinationPortRange: "22" }, true],
    [{ destinationPortRange: "22" }, true], // no source at all
  ])("%j denied: %s", (rule, denied) => {
    expect(fires("ingress-nsg-rules", nsg(rule)).length > 0).toBe(denied);
  });

  it("judges standalone SecurityRule resources too", () => {
    expect(
      fires("ingress-nsg-rules", [
        view("network:SecurityRule", {
          direction: "Inbound",
          access: "Allow",
          sourceAddressPrefix: "0.0.0.0/0",
          destinationPortRange: "22",
        }),
      ]),
    ).toHaveLength(1);
  });

  it("takes the admin port from config os: 3389 on Windows", () => {
    const rdp = nsg({ sourceAddressPrefix: "203.0.113.0/24", destinationPortRange: "3389" });
    expect(fires("ingress-nsg-rules", rdp, { ...ctx, os: "windows" })).toEqual([]);
    expect(fires("ingress-nsg-rules", rdp)[0].message).toMatch(/port \[3389\] is not the admin port 22/);
  });
});

describe("range bounds", () => {
  it("a /24 is one office; a /23 is not, even when config lists it", () => {
    expect(rangeProblems(["198.51.100.0/24"], ["198.51.100.0/24"], "x")).toEqual([]);
    expect(rangeProblems(["198.51.100.7"], ["198.51.100.7/32"], "x")).toEqual([]);
    expect(rangeProblems(["198.51.100.0/23"], ["198.51.100.0/23"], "x")).toEqual([
      "198.51.100.0/23 is wider than a /24 (512 addresses is not one office)",
    ]);
    expect(rangeProblems(["32.0.0.0/3"], ["32.0.0.0/3"], "x")[0]).toMatch(/wider than a \/24/);
  });
  it("all of a list together is bounded", () => {
    const five = [1, 2, 3, 4, 5].map((i) => `198.51.${i}.0/24`);
    expect(rangeProblems(five, five, "x")).toEqual(["together they span 1280 addresses, more than 1024"]);
  });
});

describe("secret literals in scripts", () => {
  const runCommand = (source: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    view("compute:VirtualMachineRunCommandByVirtualMachine", { source, ...extra });
  const literal = `v${randomBytes(10).toString("hex")}`;

  it.each([
    ["a quoted password", `password = "${literal}"`],
    ["a shell export", `export CLIENT_SECRET=${literal}`],
    // A real key, made at test time: no key material is ever committed. Its body carries the literal.
    [
      "a private key",
      `cat > k <<EOF\n${generateKeyPairSync("ed25519")
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString()
        .replace(/\n(?=-----END)/, `${literal}\n`)}EOF`,
    ],
    ["a SAS URL", `curl "https://a.blob.core.windows.net/c/b?sv=2021-08-06&sig=${randomBytes(24).toString("base64")}"`],
    ["a JWT", `curl -H "Authorization: Bearer eyJ${literal}abc.eyJ${literal}def.sig"`],
  ])("flags %s, without echoing it", (_what, script) => {
    const found = fires("no-secret-literals-in-scripts", [runCommand({ script })]);
    expect(found).toHaveLength(1);
    expect(JSON.stringify(found)).not.toContain(literal);
  });

  it.each([
    ["a token read at run time", 'TOKEN=$(curl -s -H "Metadata: true" "$IMDS")'],
    ["a secret's name", 'SECRET_NAME="SQLPasswd"\naz keyvault secret show --name "$SECRET_NAME"'],
    ["a quoted variable", 'password = "${PASSWORD}"'],
  ])("does not flag %s", (_what, script) => {
    expect(fires("no-secret-literals-in-scripts", [runCommand({ script })])).toEqual([]);
  });

  it.each(["probe/vm-probe.py", "probe/vm-probe.ps1"])(
    "the in-VM probe %s trips neither the secret nor the password-login scanner",
    (file) => {
      const script = fs.readFileSync(path.join(ROOT, file), "utf8");
      expect(fires("no-secret-literals-in-scripts", [runCommand({ script })])).toEqual([]);
      expect(fires("credential-password-login", [runCommand({ script })])).toEqual([]);
      expect(fires("credential-ssh-keys", [runCommand({ script })])).toEqual([]);
    },
  );

  it("flags the stack's own canary secret value inside a run command parameter, by fingerprint only", () => {
    const value = randomBytes(18).toString("base64");
    const found = fires("no-secret-literals-in-scripts", [
      view("keyvault:Secret", { properties: { value } }, { name: "canary" }),
      runCommand({ script: "./probe" }, { parameters: [{ name: "nonce", value: `x-${value}` }] }),
    ]);
    expect(found.map((v) => v.message)).toEqual([expect.stringContaining(`the value of Key Vault secret canary (${fingerprint(value)})`)]);
    expect(JSON.stringify(found)).not.toContain(value);
  });
});

describe("password-login switches", () => {
  it.each([
    "PasswordAuthentication yes",
    "sed -i 's/#PasswordAuthentication no/PasswordAuthentication yes/' /etc/ssh/sshd_config",
    "KbdInteractiveAuthentication yes",
    "#cloud-config\nssh_pwauth: true",
    "#cloud-config\nssh_pwauth: 'yes'",
    "users:\n  - name: a\n    lock_passwd: false",
    "chpasswd:\n  list: |\n    a:b",
    "echo 'a:b' | chpasswd",
    "echo b | passwd --stdin a",
    "usermod -p $(openssl passwd b) a",
    "net user labadmin S3cret!",
    "Set-LocalUser -Name a -Password $p",
  ])("finds %j", (text) => {
    expect(passwordLoginIn(text)).not.toEqual([]);
  });
  it.each(["PasswordAuthentication no", "passwd -l azureuser", "ssh_pwauth: false", "net user labadmin /add", "lock_passwd: true"])(
    "leaves %j alone",
    (text) => {
      expect(passwordLoginIn(text)).toEqual([]);
    },
  );
});

describe("grants", () => {
  const SUB = "/subscriptions/00000000-0000-0000-0000-000000000501";
  const seatVm = (principalId: string) => ({
    ...view(
      "compute:VirtualMachine",
      { identity: { type: "SystemAssigned" }, osProfile: { linuxConfiguration: { disablePasswordAuthentication: true } } },
      { name: "seat9-vm", parent: "urn:pulumi:t::p::lab:DataScienceVm::seat9" },
    ),
    props: { identity: { type: "SystemAssigned", principalId } },
  });
  const vault = (accessPolicies: unknown[]) => view("keyvault:Vault", { vaultName: "kv", properties: { accessPolicies } });

  it("an inline policy names a seat by its principal id in any case", () => {
    const found = fires("grant-access-policies", [
      seatVm("ab-CD-1"),
      vault([{ objectId: "AB-cd-1", permissions: { secrets: ["get", "list"] } }]),
    ]);
    expect(found.map((v) => v.message)).toEqual([
      expect.stringMatching(
        /^seat 9 identity holds \[secrets\/get, secrets\/list\] on vault kv \(inline access policy #1 of .*\[secrets\/list\] is beyond/,
      ),
    ]);
    expect(
      fires("grant-access-policies", [seatVm("ab-CD-1"), vault([{ objectId: "AB-cd-1", permissions: { secrets: ["Get", "SET"] } }])]),
    ).toEqual([]);
  });

  it("operators in config may hold their policy, in any case; nobody else may hold anything", () => {
    const op = "0f0e0d0c-0b0a-4909-8807-060504030201";
    const policy = (objectId: string) => vault([{ objectId, permissions: { secrets: ["get", "list", "set", "delete", "recover"] } }]);
    expect(fires("grant-access-policies", [policy(op.toUpperCase())], { ...ctx, operatorObjectIds: [op] })).toEqual([]);
    expect(fires("grant-access-policies", [policy(op)], ctx)[0].message).toMatch(
      new RegExp(`principal ${op} holds .*not in the access matrix`),
    );
  });

  it("the lab's subscription roles are recognised by their GUID, and only in their own subscription", () => {
    const guid = customRoleGuid(subscriptionScope("00000000-0000-0000-0000-000000000501"), LAB_CUSTOM_ROLES.secretGetSet.seed);
    const holder = view("authorization:RoleAssignment", {});
    expect(roleOf(`${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`, holder, [])).toMatchObject({
      kind: "custom",
      dataActions: [...VM_SECRET_DATA_ACTIONS],
    });
    expect(roleOf(`/subscriptions/other/providers/Microsoft.Authorization/roleDefinitions/${guid}`, holder, [])).toMatchObject({
      kind: "unknown",
    });
    expect(roleOf(`${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid.toUpperCase()}`, holder, [])).toMatchObject({
      kind: "custom",
    });
  });
});

describe("Azure defaults and features the gate relies on", () => {
  const vault = (acl: Record<string, unknown>) =>
    view("keyvault:Vault", { vaultName: "kv", properties: { networkAcls: { defaultAction: "Deny", ...acl } } });
  it("kv-network-bypass-default-azure-services: an unset bypass is AzureServices, so it is denied like an explicit one", () => {
    expect(fires("ingress-vault-firewall", [vault({ bypass: "None" })])).toEqual([]);
    expect(fires("ingress-vault-firewall", [vault({})])[0].message).toMatch(/bypass is "unset \(AzureServices\)"/);
    expect(fires("ingress-vault-firewall", [vault({ bypass: "AzureServices" })])[0].message).toMatch(/bypass is "AzureServices"/);
  });
  it("bastion-shareable-link-no-portal: a shareable link is denied even with config bastion", () => {
    const bastion = (extra: Record<string, unknown>) => [view("network:BastionHost", { bastionHostName: "b", ...extra })];
    expect(fires("ingress-bastion-features", bastion({}), { ...ctx, bastion: true })).toEqual([]);
    expect(fires("ingress-bastion-features", bastion({ enableShareableLink: true }), { ...ctx, bastion: true })[0].message).toMatch(
      /turns on enableShareableLink/,
    );
    expect(fires("ingress-bastion-features", bastion({}), ctx)[0].message).toMatch(/config bastion is not true/);
  });
});
