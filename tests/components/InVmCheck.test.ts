// The deploy-time in-VM check (a run command per seat) and the canary secret it reads, under mocks.
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { ConfigError, validateConfig } from "../../lib/config";
import { probeArgs, readProbe } from "../../lib/probe";
import { devConfig, ofType, one, runLab } from "../helpers/program";

const RUN_COMMAND = "azure-native:compute:VirtualMachineRunCommandByVirtualMachine";
const urnOf = (run: Awaited<ReturnType<typeof runLab>>, type: string, name: string) => one(run, type, name).urn;

describe("InVmCheck", () => {
  it("runs the probe on every seat, as a run command that fails the deployment when the probe fails", async () => {
    const run = await runLab({ seats: "3" });
    const checks = ofType(run, RUN_COMMAND);
    expect(checks.map((c) => c.name).sort()).toEqual(["seat1-check-probe", "seat2-check-probe", "seat3-check-probe"]);
    const vault = one(run, "azure-native:keyvault:Vault", "vault-kv").state;
    const account = one(run, "azure-native:storage:StorageAccount", "storage-account");
    for (const seat of [1, 2, 3]) {
      const rc = one(run, RUN_COMMAND, `seat${seat}-check-probe`);
      expect(rc.parent).toMatch(new RegExp(`dsvm-identity-lab:lab:InVmCheck::seat${seat}-check$`));
      expect(rc.inputs).toMatchObject({
        vmName: one(run, "azure-native:compute:VirtualMachine", `seat${seat}-vm`).state.name,
        treatFailureAsDeploymentFailure: true,
        asyncExecution: false,
        source: { script: readProbe() },
      });
      expect(rc.inputs.timeoutInSeconds).toBeGreaterThan(600);
      // Unnamed parameters: the handler passes them as the script's arguments, in order.
      const args = probeArgs({ vaultUri: vault.properties.vaultUri, secretName: "SQLPasswd", storageAccountId: account.id!, blobEndpoint: account.state.primaryEndpoints.blob, deadlineSeconds: 600 });
      expect(rc.inputs.parameters).toEqual(args.map((value) => ({ name: "", value })));
    }
  });

  it("waits for exactly its own seat's access policy and role assignment (and the canary), never another seat's", async () => {
    const run = await runLab({ seats: "3" });
    const grants = (seat: number) => [
      urnOf(run, "azure-native:keyvault:AccessPolicy", `vault-seat${seat}`),
      urnOf(run, "azure-native:authorization:RoleAssignment", `storage-seat${seat}-listkeys`),
    ];
    const canary = urnOf(run, "azure-native:keyvault:Secret", "vault-canary");
    for (const seat of [1, 2, 3]) {
      const deps = one(run, RUN_COMMAND, `seat${seat}-check-probe`).dependencies;
      expect(deps).toEqual(expect.arrayContaining([...grants(seat), canary]));
      for (const other of [1, 2, 3].filter((s) => s !== seat)) for (const g of grants(other)) expect(deps).not.toContain(g);
      expect(deps.filter((d) => /AccessPolicy::vault-operator/.test(d))).toEqual([]);
    }
  });

  it("is not declared when checkOnDeploy is false", async () => {
    const run = await runLab({ checkOnDeploy: "false" });
    expect(ofType(run, RUN_COMMAND)).toEqual([]);
    expect(ofType(run, "dsvm-identity-lab:lab:InVmCheck")).toEqual([]);
    // The canary stays: `npm run verify` needs it.
    expect(ofType(run, "azure-native:keyvault:Secret")).toHaveLength(1);
  });

  it("checkOnDeploy defaults to true and takes only true or false", () => {
    expect(validateConfig(devConfig()).checkOnDeploy).toBe(true);
    expect(() => validateConfig(devConfig({ checkOnDeploy: "yes" }))).toThrow(ConfigError);
    expect(() => validateConfig(devConfig({ checkOnDeploy: "yes" }))).toThrow(/dsvm-identity-lab:checkOnDeploy = "yes": expected true or false/);
  });
});

describe("the canary secret (SecretVault)", () => {
  it("is created through the control plane with a random value that is a secret, kept secret in state, and never an output", async () => {
    let secretOpts: any;
    let valueIsSecret: Promise<boolean> | undefined;
    const run = await runLab({}, "dev", {
      beforeProgram: (sdk) =>
        sdk.runtime.registerStackTransformation((a) => {
          if (a.type === "azure-native:keyvault:Secret") {
            secretOpts = a.opts;
            valueIsSecret = sdk.isSecret(sdk.output(a.props.properties.value));
          }
          return undefined;
        }),
    });
    const secret = one(run, "azure-native:keyvault:Secret", "vault-canary");
    const password = one(run, "random:index/randomPassword:RandomPassword", "vault-canary-value");
    expect(secret.inputs).toMatchObject({ secretName: "SQLPasswd", vaultName: one(run, "azure-native:keyvault:Vault", "vault-kv").state.name });
    // The value reaches the provider as a secret, and the Secret's properties stay secret in state.
    expect(secret.inputs.properties).toEqual({ [specialSigKey]: specialSecretSig, value: { value: password.state.result, contentType: "text/plain" } });
    expect(await valueIsSecret).toBe(true);
    expect(secretOpts.additionalSecretOutputs).toContain("properties");
    expect(password.inputs).toMatchObject({ length: 32, special: false });
    expect(JSON.stringify(run.outputs)).not.toContain(password.state.result);
  });

  it("takes its name from secretName", async () => {
    const run = await runLab({ secretName: "LabCanary" });
    expect(one(run, "azure-native:keyvault:Secret", "vault-canary").inputs.secretName).toBe("LabCanary");
    expect(one(run, RUN_COMMAND, "seat1-check-probe").inputs.parameters[3]).toEqual({ name: "", value: "LabCanary" });
  });
});
