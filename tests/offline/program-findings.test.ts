// What the offline gate cannot see it refuses: transforms and hooks (the mocks never run them), invokes other than
// getClientConfig (caught or not), imports and explicit providers. Each regression is injected into the real program.
import type { ProgramRun } from "../../offline/harness";
import { buildReport, renderText } from "../../scripts/plan/report";
import { programFindings } from "../../offline/program-findings";
import { runLab } from "../helpers/program";
import { Mutation, runMutated } from "../policy/mutate";

const kinds = (run: ProgramRun) => programFindings(run).map((f) => `${f.kind} ${f.subject}`);

/** Registers what `add` makes when the program's resource group is created (only the first time, when `once`). */
function besideGroup(add: (sdk: Parameters<NonNullable<Mutation["add"]>>[1]) => void, once = false): Mutation {
  let done = false;
  return {
    type: "azure-native:resources:ResourceGroup",
    change: (p) => p,
    add: (_p, sdk) => {
      if (once && done) return;
      done = true;
      add(sdk);
    },
  };
}

describe("program findings", () => {
  let clean: ProgramRun;
  beforeAll(async () => {
    clean = await runLab();
  });

  it("the shipped program has none: its one invoke is getClientConfig, no transform, import or provider", () => {
    expect(clean.engine.invokes).toEqual(["azure-native:authorization:getClientConfig"]);
    expect(clean.engine.callbacks).toEqual([]);
    expect(programFindings(clean)).toEqual([]);
    expect(buildReport(clean).programFindings).toEqual([]);
  });

  it("a per-resource transforms option (on the vault) is a mandatory finding naming the resource", async () => {
    const run = await runMutated([
      {
        type: "azure-native:keyvault:Vault",
        change: (p) => p,
        opts: (o) => ({
          ...o,
          transforms: [
            (a) => ({ props: { ...a.props, properties: { ...a.props.properties, enablePurgeProtection: false } }, opts: a.opts }),
          ],
        }),
      },
    ]);
    expect(kinds(run)).toEqual([
      expect.stringMatching(/^transform urn:pulumi:dev::dsvm-identity-lab::.*azure-native:keyvault:Vault::vault-kv$/),
    ]);
    expect(programFindings(run)[0]).toMatchObject({
      enforcement: "mandatory",
      message: expect.stringContaining(
        "the program registers a transform: the offline gate cannot see what it changes; the lab declares none",
      ),
    });
  });

  it("a stack transform registered by the program (registerResourceTransform) is a mandatory finding", async () => {
    let registered = false;
    const run = await runMutated([
      {
        type: "azure-native:resources:ResourceGroup",
        change: (p, sdk) => {
          if (!registered)
            sdk.runtime.registerResourceTransform((a) =>
              a.type === "azure-native:network:BastionHost" ? { props: { ...a.props, enableTunneling: true }, opts: a.opts } : undefined,
            );
          registered = true;
          return p;
        },
      },
    ]);
    expect(kinds(run)).toEqual(["transform (stack)"]);
    expect(renderText(buildReport(run))).toMatch(
      /What the offline gate cannot see: 1 mandatory finding\(s\)\n {2}✗ MANDATORY transform {2}\(stack\)/,
    );
  });

  it("an invoke transform and a resource hook are findings too", async () => {
    const run = await runMutated([
      besideGroup((sdk) => {
        sdk.runtime.registerInvokeTransform((a) => a);
        void new sdk.ResourceHook("after", () => undefined);
      }),
    ]);
    expect(kinds(run)).toEqual(expect.arrayContaining(["transform (stack)", "hook (stack)"]));
    expect(programFindings(run).find((f) => f.kind === "transform")!.message).toContain("(invoke transform)");
  });

  it("listStorageAccountKeys is a finding even when the program catches the mock's error", async () => {
    let caught = false;
    const run = await runMutated([
      besideGroup((sdk) => {
        Promise.resolve(
          sdk.runtime.invoke("azure-native:storage:listStorageAccountKeys", { resourceGroupName: "rg", accountName: "a" }),
        ).then(
          () => undefined,
          () => (caught = true),
        );
      }),
    ]);
    expect(caught).toBe(true);
    expect(kinds(run)).toEqual(["invoke azure-native:storage:listStorageAccountKeys"]);
    expect(programFindings(run)[0].message).toContain("whether or not the program catches the error");
  });

  it("a RandomPassword with an import id (a literal value) is a mandatory finding", async () => {
    const run = await runMutated([
      {
        type: "random:index/randomPassword:RandomPassword",
        name: "vault-canary-value",
        change: (p) => p,
        opts: (o) => ({ ...o, import: "Lab-Admin-2026!x" }),
      },
    ]);
    const found = programFindings(run);
    expect(found.map((f) => f.kind)).toEqual(["import"]);
    expect(found[0].subject).toMatch(/RandomPassword::vault-canary-value$/);
    // The value itself is never repeated in the finding.
    expect(JSON.stringify(found)).not.toContain("Lab-Admin-2026!x");
  });

  it("an explicit azure-native provider (its own subscription and client secret) is a mandatory finding naming it", async () => {
    const run = await runMutated([
      besideGroup((sdk) => {
        // What `new Provider("data", ...)` of @pulumi/azure-native/provider registers.
        class AzureProvider extends sdk.ProviderResource {}
        void new AzureProvider("azure-native", "data", {
          subscriptionId: "22222222-3333-4444-5555-666666666666",
          clientSecret: "not-a-real-secret",
        });
      }, true),
    ]);
    expect(kinds(run)).toEqual([
      expect.stringMatching(/^provider urn:pulumi:dev::dsvm-identity-lab::.*pulumi:providers:azure-native::data$/),
    ]);
    expect(JSON.stringify(programFindings(run))).not.toContain("not-a-real-secret");
  });

  it("reading an existing resource with .get() is a mandatory finding naming it", async () => {
    const run = await runMutated([
      besideGroup((sdk) => {
        // What `storage.StorageAccount.get("other", id)` sends: a custom resource with an id and no inputs.
        class StorageAccount extends sdk.CustomResource {}
        void new StorageAccount(
          "azure-native:storage:StorageAccount",
          "other",
          {},
          { id: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/z" },
        );
      }, true),
    ]);
    expect(kinds(run)).toEqual(["read azure-native:storage:StorageAccount other"]);
  });

  it("the monitor the program sees is not named Mock and its address is not 'mock'", async () => {
    let seen: { name: string; addr: unknown } | undefined;
    await runLab({}, "dev", {
      beforeProgram: (sdk) => {
        const settings = require("@pulumi/pulumi/runtime/state").getStore().settings;
        seen = { name: (sdk.runtime.getMonitor() as any).constructor.name, addr: settings.options.monitorAddr };
      },
    });
    expect(seen!.name).not.toMatch(/mock/i);
    expect(seen!.addr).not.toBe("mock");
  });

  it("a beforeProgram that registers a transform is refused: the harness could not apply it", async () => {
    await expect(runLab({}, "dev", { beforeProgram: (sdk) => sdk.runtime.registerResourceTransform(() => undefined) })).rejects.toThrow(
      /beforeProgram registered a transform or hook/,
    );
  });
});
