import { ofType, runLab, runLabFailure } from "./helpers/program";

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
    }).toEqual({ vms: 2, vaults: 1, policies: 3, accounts: 1, assignments: 2, groups: 1 });
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
      expect.arrayContaining(["resourceGroupName", "vaultName", "vaultUri", "storageAccountName", "storageAccountId", "blobEndpoint", "seatVms", "secretName"]),
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
