import type { ProgramRun, RecordedResource } from "../offline/harness";
import { concurrentPairs, ofType, runLab, runLabFailure } from "./helpers/program";

const T = {
  vm: "azure-native:compute:VirtualMachine",
  vault: "azure-native:keyvault:Vault",
  policy: "azure-native:keyvault:AccessPolicy",
  secret: "azure-native:keyvault:Secret",
  assignment: "azure-native:authorization:RoleAssignment",
  roleDefinition: "azure-native:authorization:RoleDefinition",
  extension: "azure-native:compute:VirtualMachineExtension",
  runCommand: "azure-native:compute:VirtualMachineRunCommandByVirtualMachine",
};

/** The vault a secret, access policy or secret-scope assignment belongs to (by the vault's Azure name or id). */
function vaultOf(run: ProgramRun, r: RecordedResource): RecordedResource | undefined {
  return ofType(run, T.vault).find((v) =>
    r.type === T.assignment ? String(r.inputs.scope).startsWith(`${v.id}/secrets/`) : r.inputs.vaultName === v.state.name,
  );
}
/** Everything that lives in a vault: its secrets, any standalone policy, and the assignments scoped to one secret. */
const inVault = (run: ProgramRun) => [
  ...ofType(run, T.secret),
  ...ofType(run, T.policy),
  ...ofType(run, T.assignment).filter((a) => /\/secrets\/[^/]+$/.test(String(a.inputs.scope))),
];

describe("index.ts under mocks", () => {
  it("declares the seed's walk-through: identity per seat, vault policies, listKeys role, shared vault and storage", async () => {
    const run = await runLab();
    const count = (t: string) => ofType(run, t).length;
    expect({
      vms: count("azure-native:compute:VirtualMachine"),
      vaults: count("azure-native:keyvault:Vault"),
      policies: count("azure-native:keyvault:AccessPolicy"),
      accounts: count("azure-native:storage:StorageAccount"),
      assignments: count("azure-native:authorization:RoleAssignment"),
      groups: count("azure-native:resources:ResourceGroup"),
    }).toEqual({ vms: 2, vaults: 1, policies: 0, accounts: 1, assignments: 2, groups: 1 });
    // The policies are the vault's own: the deploying principal's and the two seats'.
    expect(ofType(run, "azure-native:keyvault:Vault")[0].inputs.properties.accessPolicies).toHaveLength(3);
  });

  it("runs twice in one process with different config (each run is isolated)", async () => {
    const a = await runLab({ seats: "1" });
    const b = await runLab({ seats: "3" });
    expect(ofType(a, "azure-native:compute:VirtualMachine")).toHaveLength(1);
    expect(ofType(b, "azure-native:compute:VirtualMachine")).toHaveLength(3);
  });

  it("exports what scripts need and nothing secret", async () => {
    const run = await runLab();
    expect(Object.keys(run.outputs)).toEqual(
      expect.arrayContaining([
        "resourceGroupName",
        "vaultName",
        "vaultUri",
        "storageAccountName",
        "storageAccountId",
        "blobEndpoint",
        "seatVms",
        "secretName",
      ]),
    );
    expect(run.outputs.resourceGroupName).toBe("dsvmlab-dev-rg");
    const text = JSON.stringify(run.outputs);
    expect(text).not.toMatch(/ssh-ed25519|PRIVATE KEY|"password|AccountKey/i);
  });

  it.each([
    ["seats", "0"],
    ["allowedSshCidrs", '["*"]'],
    ["sshPublicKey", "nope"],
    ["autoShutdownTime", "25:00"],
  ])("stops on a bad %s before registering any resource", async (key, value) => {
    const { error, registered } = await runLabFailure({ [key]: value });
    expect((error as any).__pulumiRunError).toBe(true); // what RunError.isInstance checks: Pulumi prints it without a stack trace
    expect(error.message).toContain(`dsvm-identity-lab:${key} = `);
    expect(registered).toBe(0);
  });
});

describe.each([
  ["dev", {}],
  ["lab-users", {}],
  ["win-rbac", {}],
  ["dev", { seats: "3", seatsPerVault: "2", customRoleSource: "lab" }],
])("what Azure does to the %s stack %j", (stack, overrides) => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runLab(overrides as Record<string, string>, stack);
  });

  it("pulumi-deleted-with: every secret, access policy and secret-scope assignment goes with its own vault", () => {
    const members = inVault(run);
    expect(members.length).toBeGreaterThan(0);
    for (const r of members) expect([r.name, r.deletedWith]).toEqual([r.name, vaultOf(run, r)?.urn]);
    // ...and nothing else does: the seats' other grants are deleted on their own when a seat goes.
    const others = run.resources.filter((r) => r.deletedWith && !members.includes(r));
    expect(others.map((r) => r.name)).toEqual([]);
  });

  it("kv-access-policy-409-serialize: no two writes to one vault (the vault, its secrets, its policies) can run at once", () => {
    for (const vault of ofType(run, T.vault)) {
      const writes = [
        vault,
        ...[...ofType(run, T.secret), ...ofType(run, T.policy)].filter((r) => r.inputs.vaultName === vault.state.name),
      ];
      expect([vault.name, concurrentPairs(run, writes)]).toEqual([vault.name, []]);
    }
  });

  it("vm-one-extension-operation-at-a-time: no two extension operations on one VM can run at once", () => {
    for (const vm of ofType(run, T.vm)) {
      const ops = [...ofType(run, T.extension), ...ofType(run, T.runCommand)].filter((r) => r.inputs.vmName === vm.state.name);
      expect(ops.length).toBeGreaterThan(0);
      expect([vm.name, concurrentPairs(run, ops)]).toEqual([vm.name, []]);
    }
  });

  it("custom roles: none defined with customRoleSource subscription (the default), the lab's own with lab", () => {
    const defs = ofType(run, T.roleDefinition);
    if ((overrides as Record<string, string>).customRoleSource === "lab") expect(defs.length).toBeGreaterThan(0);
    else expect(defs).toEqual([]);
  });
});
