// The deploy-time in-VM check (a run command per seat) and the canary secret it reads, under mocks.
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { ConfigError, validateConfig } from "../../lib/config";
import { probeArgs } from "../../probe/contract";
import { readProbe } from "../../probe/scripts";
import * as path from "path";
import { probeRunCommandName } from "../../components/InVmCheck";
import { devConfig, mayRunAtOnce, ofType, one, ROOT, runComponents, runLab } from "../helpers/program";

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
        runCommandName: expect.stringMatching(/^dsvm-lab-probe-[0-9a-f]{12}$/),
      });
      expect(rc.inputs.timeoutInSeconds).toBeGreaterThan(600);
      // Unnamed parameters: the handler passes them as the script's arguments, in order.
      const args = probeArgs({
        vaultUri: vault.properties.vaultUri,
        secretName: "SQLPasswd",
        storageAccountId: account.id!,
        blobEndpoint: account.state.primaryEndpoints.blob,
        deadlineSeconds: 600,
      });
      expect(rc.inputs.parameters).toEqual(args.map((value) => ({ name: "", value })));
    }
  });

  it("waits for its own vault (which carries the seats' policies), its own listKeys assignment and the canary, never another seat's assignment", async () => {
    const run = await runLab({ seats: "3" });
    const listKeys = (seat: number) => urnOf(run, "azure-native:authorization:RoleAssignment", `storage-seat${seat}-listkeys`);
    const vault = urnOf(run, "azure-native:keyvault:Vault", "vault-kv");
    const canary = urnOf(run, "azure-native:keyvault:Secret", "vault-canary");
    for (const seat of [1, 2, 3]) {
      const deps = one(run, RUN_COMMAND, `seat${seat}-check-probe`).dependencies;
      expect(deps).toEqual(expect.arrayContaining([vault, listKeys(seat), canary]));
      for (const other of [1, 2, 3].filter((s) => s !== seat)) expect(deps).not.toContain(listKeys(other));
    }
  });

  it("vm-one-extension-operation-at-a-time: starts after the seat's Entra sign-in extension, so the two never run at once", async () => {
    const run = await runLab({ seats: "2" }, "lab-users");
    for (const seat of [1, 2]) {
      const check = one(run, RUN_COMMAND, `seat${seat}-check-probe`);
      const ext = one(run, "azure-native:compute:VirtualMachineExtension", `seat${seat}-aadssh`);
      expect(check.dependencies).toContain(ext.urn);
      expect(mayRunAtOnce(run, check, ext)).toBe(false);
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
    expect(() => validateConfig(devConfig({ checkOnDeploy: "yes" }))).toThrow(
      /dsvm-identity-lab:checkOnDeploy = "yes": expected true or false/,
    );
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
    expect(secret.inputs).toMatchObject({
      secretName: "SQLPasswd",
      vaultName: one(run, "azure-native:keyvault:Vault", "vault-kv").state.name,
    });
    // The value reaches the provider as a secret, and the Secret's properties stay secret in state.
    expect(secret.inputs.properties).toEqual({
      [specialSigKey]: specialSecretSig,
      value: { value: password.state.result, contentType: "text/plain" },
    });
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

describe("run-command-identical-request-not-rerun: the run command's name is a fingerprint of what the check depends on", () => {
  it("probeRunCommandName: same parts, same name; any part changed, another name", () => {
    const parts = ["probe-hash", "params", "grant-a", "grant-b"];
    expect(probeRunCommandName(parts)).toBe(probeRunCommandName([...parts]));
    expect(probeRunCommandName(parts)).toMatch(/^dsvm-lab-probe-[0-9a-f]{12}$/);
    for (let i = 0; i < parts.length; i++)
      expect(probeRunCommandName(parts.map((p, j) => (j === i ? `${p}!` : p)))).not.toBe(probeRunCommandName(parts));
    // Parts are kept apart: moving text from one part to the next is another request.
    expect(probeRunCommandName(["ab", "c"])).not.toBe(probeRunCommandName(["a", "bc"]));
  });

  const PROBE = path.join(ROOT, "probe/scripts");
  /** runComponents from a module registry of its own, so the components load the doMock'd probe. */
  const isolatedRunComponents: typeof runComponents = async (build) => {
    let run: Awaited<ReturnType<typeof runComponents>> | undefined;
    await jest.isolateModulesAsync(async () => {
      run = await (require("../helpers/program") as typeof import("../helpers/program")).runComponents(build);
    });
    return run!;
  };
  const nameOf = async (
    over: { grants?: string[]; probeText?: string; vaultUri?: string; secretName?: string; os?: "ubuntu" | "windows" } = {},
  ) => {
    if (over.probeText !== undefined) {
      const text = over.probeText;
      jest.doMock(PROBE, () => ({ ...jest.requireActual(PROBE), readProbe: () => text }));
    }
    try {
      const run = await (over.probeText === undefined ? runComponents : isolatedRunComponents)((load) => {
        const { InVmCheck } = load<typeof import("../../components/InVmCheck")>("components/InVmCheck");
        new InVmCheck("c", {
          resourceGroupName: "rg",
          location: "westeurope",
          vmName: "lab-vm1",
          vaultUri: over.vaultUri ?? "https://lab-kv-abc123.vault.azure.net/",
          secretName: over.secretName ?? "Canary",
          storageAccountId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/labst1",
          blobEndpoint: "https://labst1.blob.core.windows.net/",
          waitFor: [],
          grantIdentity: over.grants ?? [
            "/subscriptions/s/x/roleAssignments/1",
            "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/r",
            "principal-1",
          ],
          os: over.os,
        });
      });
      const rc = one(run, RUN_COMMAND, "c-probe").inputs;
      // The changed probe really is what the run command carries.
      if (over.probeText !== undefined) expect(rc.source.script).toBe(over.probeText);
      return rc.runCommandName as string;
    } finally {
      jest.dontMock(PROBE);
    }
  };

  it("the same inputs give the same name: an unchanged lab sends nothing", async () => {
    expect(await nameOf()).toBe(await nameOf());
  });

  it("the same grants in another order give the same name", async () => {
    const grants = ["g1", "g2", "g3"];
    expect(await nameOf({ grants })).toBe(await nameOf({ grants: [...grants].reverse() }));
  });

  it.each([
    [
      "a grant changed (another role)",
      {
        grants: [
          "/subscriptions/s/x/roleAssignments/1",
          "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/OTHER",
          "principal-1",
        ],
      },
    ],
    ["a grant removed", { grants: ["/subscriptions/s/x/roleAssignments/1"] }],
    ["the vault URI changed", { vaultUri: "https://lab-kv-zzz999.vault.azure.net/" }],
    ["the secret name changed", { secretName: "Other" }],
    ["the probe's text changed", { probeText: "#!/usr/bin/env python3\nprint('a changed probe')\n" }],
    ["the OS (and so the probe) changed", { os: "windows" as const }],
  ])("%s: another name, so a new run command that Azure executes", async (_label, over) => {
    expect(await nameOf(over)).not.toBe(await nameOf());
  });

  it("in the program: stable across runs, different per seat, and different when a seat's listKeys grant changes", async () => {
    const names = async (o: Record<string, string>) =>
      ofType(await runLab({ seats: "2", ...o }), RUN_COMMAND)
        .map((r) => r.inputs.runCommandName as string)
        .sort();
    const first = await names({});
    expect(new Set(first).size).toBe(2);
    expect(await names({})).toEqual(first);
    const builtin = await names({ listKeysRole: "builtin" });
    expect(builtin.filter((n) => first.includes(n))).toEqual([]);
  });
});
