// The teardown model on hand-made graphs (one case each), then on the program's own stacks.
import type { RecordedResource } from "../../offline/harness";
import { destroyEdges, planTeardown, TeardownReport } from "../../offline/teardown";
import { MOCK_CLIENT } from "../../offline/mocks";
import { runLab } from "../helpers/program";
import { DEPLOYER, group, policy, res, RG_ID, secret, urnOf, vault, vmOp } from "./graph-fixtures";

const teardown = (resources: RecordedResource[], ephemeral = true) => planTeardown(resources, { deployer: DEPLOYER, ephemeral });
const kinds = (v: TeardownReport["pulumiDestroy"]) => v.blockers.map((b) => `${b.kind} ${b.resource}`);
const step = (t: TeardownReport, name: string) => t.steps.find((s) => s.resource.endsWith(` ${name}`))!;

describe("destroy order (pulumi-destroy-order)", () => {
  it("deletes dependents first, in parallel waves: whatever waits for X goes before X", () => {
    const rg = group();
    const kv = vault("kv1", [rg], { networkAcls: { defaultAction: "Allow" } });
    const op = policy("op", "kv1", DEPLOYER, ["get", "delete"], [kv]);
    const s = secret("s", "kv1", [kv, op]);
    const t = teardown([rg, kv, op, s]);
    expect(t.steps.map((x) => `${x.wave} ${x.resource}`)).toEqual([
      "1 keyvault:Secret s",
      "2 keyvault:AccessPolicy op",
      "3 keyvault:Vault kv1",
      "4 resources:ResourceGroup rg",
    ]);
    expect(t.waves).toBe(4);
    expect(t.pulumiDestroy).toEqual({ succeeds: true, blockers: [] });
  });

  it("deletes children before their parent, and a component's earlier children after whoever depends on the component", () => {
    const comp = res("my:lab:Thing", "thing", { custom: false });
    const child = res("network:VirtualNetwork", "child", { parent: comp.urn });
    const user = res("network:Subnet", "user", { dependencies: [comp.urn] });
    const edges = destroyEdges([comp, child, user]);
    expect(edges(child)).toEqual([comp.urn]);
    expect(edges(user)).toEqual(expect.arrayContaining([comp.urn, child.urn]));
    const t = teardown([comp, child, user]);
    expect(step(t, "user").wave).toBeLessThan(step(t, "child").wave);
  });

  it("a resource deletedWith another waits for it too", () => {
    const a = res("network:VirtualNetwork", "a");
    const b = res("network:Subnet", "b", { deletedWith: a.urn });
    expect(destroyEdges([a, b])(b)).toEqual([a.urn]);
  });
});

describe("deletedWith and protect (pulumi-deleted-with, pulumi-protect-blocks-destroy)", () => {
  it("skips a resource whose deletedWith target is deleted too: no data-plane delete, no firewall", () => {
    const kv = vault("kv1", []);
    const s = secret("s", "kv1", [kv], { deletedWith: kv.urn });
    const t = teardown([kv, s]);
    expect(step(t, "s")).toMatchObject({ action: "skip", deletedWith: "keyvault:Vault kv1" });
    expect(t.pulumiDestroy.succeeds).toBe(true);
    expect(t.leftovers).toEqual([]);
  });

  it("refuses a protected resource, names it, and refuses it even when it is deletedWith another", () => {
    const rg = group();
    const kv = vault("kv1", [rg], {}, { protect: true });
    const st = res("storage:StorageAccount", "st", { protect: true, deletedWith: rg.urn, dependencies: [rg.urn] });
    const t = teardown([rg, kv, st], false);
    expect(step(t, "kv1").action).toBe("refuse");
    expect(step(t, "st").action).toBe("refuse");
    expect(kinds(t.pulumiDestroy)).toEqual(["protected keyvault:Vault kv1", "protected storage:StorageAccount st"]);
    expect(t.protected).toEqual(["keyvault:Vault kv1", "storage:StorageAccount st"]);
    expect(t.pulumiDestroy.blockers[0].message).toMatch(
      /stops in its preview and deletes nothing; without a preview \(the lab CLI\) the rest is deleted/,
    );
    expect(t.remains.find((r) => r.resource === "keyvault:Vault kv1")).toMatchObject({ state: "protected" });
  });

  it("the lab CLI refuses a lasting lab, and names what pulumi destroy would stop on", () => {
    const kv = vault("kv1", [], {}, { protect: true });
    const t = teardown([kv], false);
    expect(kinds(t.labDestroy)).toEqual(["lasting-lab stack", "protected keyvault:Vault kv1"]);
  });

  it("an unprotected lab passes both", () => {
    const t = teardown([vault("kv1", [])], true);
    expect(t.pulumiDestroy.succeeds).toBe(true);
    expect(t.labDestroy.succeeds).toBe(true);
  });
});

describe("data-plane deletes behind the vault firewall (kv-secret-delete-is-data-plane, kv-firewall-refusal)", () => {
  const withGrant = (props: Record<string, unknown>) => {
    const kv = vault("kv1", [], props);
    const op = policy("op", "kv1", DEPLOYER, ["delete"], [kv]);
    return [kv, op, secret("s", "kv1", [kv, op])];
  };

  it("the lab's firewall (Deny, bypass None, no IP rule) blocks a secret's delete", () => {
    const t = teardown(withGrant({}));
    expect(step(t, "s")).toMatchObject({ action: "delete", plane: "data" });
    expect(kinds(t.pulumiDestroy)).toEqual(["firewall keyvault:Secret s"]);
    expect(t.pulumiDestroy.blockers[0].message).toMatch(/refused from an operator's machine and from any CI runner/);
    expect(t.labDestroy.succeeds).toBe(false);
  });

  it("operator IP rules admit only those ranges: still blocked, and the message names them", () => {
    const t = teardown(withGrant({ networkAcls: { defaultAction: "Deny", bypass: "None", ipRules: [{ value: "203.0.113.7/32" }] } }));
    expect(kinds(t.pulumiDestroy)).toEqual(["firewall keyvault:Secret s"]);
    expect(t.pulumiDestroy.blockers[0].message).toContain("203.0.113.7/32");
  });

  it("public network access disabled blocks it whatever the ACLs say", () => {
    const t = teardown(withGrant({ publicNetworkAccess: "Disabled", networkAcls: { defaultAction: "Allow" } }));
    expect(kinds(t.pulumiDestroy)).toEqual(["firewall keyvault:Secret s"]);
  });

  it("an open vault lets it through (control: the firewall is what blocks above)", () => {
    const t = teardown(withGrant({ networkAcls: { defaultAction: "Allow" } }));
    expect(t.pulumiDestroy.blockers).toEqual([]);
  });

  it("a control-plane delete is never a firewall case", () => {
    const kv = vault("kv1", []);
    const t = teardown([kv, policy("p", "kv1", "someone", ["get"], [kv])]);
    expect(step(t, "p")).toMatchObject({ action: "delete", plane: "control" });
    expect(t.pulumiDestroy.blockers).toEqual([]);
  });
});

describe("the delete's access (kv-secret-delete-is-data-plane, pulumi-destroy-order)", () => {
  const open = { networkAcls: { defaultAction: "Allow" } };

  it("races the deployer's access policy when no path orders them", () => {
    const kv = vault("kv1", [], open);
    const t = teardown([kv, policy("op", "kv1", DEPLOYER, ["get", "delete"], [kv]), secret("s", "kv1", [kv])]);
    expect(kinds(t.pulumiDestroy)).toEqual(["access-race keyvault:Secret s"]);
  });

  it("fails for sure when the grant is deleted first (it depends on the secret)", () => {
    const kv = vault("kv1", [], open);
    const s = secret("s", "kv1", [kv]);
    const t = teardown([kv, s, policy("op", "kv1", DEPLOYER, ["delete"], [kv, s])]);
    expect(kinds(t.pulumiDestroy)).toEqual(["access-gone keyvault:Secret s"]);
  });

  it("is fine when the secret depends on the grant, when the grant goes with the vault, or when it is inline", () => {
    const kv = vault("kv1", [], open);
    const op = policy("op", "kv1", DEPLOYER, ["delete"], [kv]);
    expect(teardown([kv, op, secret("s", "kv1", [kv, op])]).pulumiDestroy.blockers).toEqual([]);
    const withVault = policy("op", "kv1", DEPLOYER, ["delete"], [kv], { deletedWith: kv.urn });
    expect(teardown([kv, withVault, secret("s", "kv1", [kv])]).pulumiDestroy.blockers).toEqual([]);
    const inline = vault("kv1", [], { ...open, accessPolicies: [{ objectId: DEPLOYER.toUpperCase(), permissions: { secrets: ["all"] } }] });
    expect(teardown([inline, secret("s", "kv1", [inline])]).pulumiDestroy.blockers).toEqual([]);
  });

  it("no grant that allows delete: blocked (a policy without delete, or another principal's)", () => {
    const kv = vault("kv1", [], open);
    const t = teardown([
      kv,
      policy("a", "kv1", DEPLOYER, ["get", "list"], [kv]),
      policy("b", "kv1", "someone-else", ["delete"], [kv]),
      secret("s", "kv1", [kv]),
    ]);
    expect(kinds(t.pulumiDestroy)).toContain("no-access keyvault:Secret s");
  });

  describe("RBAC vaults", () => {
    const officer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
    const user = "4633458b-17de-408a-b874-0445c86b69e6";
    const assignment = (name: string, role: string, scope: string, deps: RecordedResource[], extra: Partial<RecordedResource> = {}) =>
      res("authorization:RoleAssignment", name, {
        inputs: {
          principalId: DEPLOYER,
          roleDefinitionId: `/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${role}`,
          scope,
        },
        dependencies: deps.map(urnOf),
        ...extra,
      });

    it("Secrets Officer on the vault, unordered: a race", () => {
      const kv = vault("kv1", [], { ...open, enableRbacAuthorization: true });
      const t = teardown([kv, assignment("op", officer, kv.id!, [kv]), secret("s", "kv1", [kv])]);
      expect(kinds(t.pulumiDestroy)).toEqual(["access-race keyvault:Secret s"]);
    });

    it("Secrets Officer at the resource group, which the secret waits for: fine; Secrets User: no delete", () => {
      const kv = vault("kv1", [], { ...open, enableRbacAuthorization: true });
      const ok = assignment("op", officer, RG_ID, []);
      expect(teardown([kv, ok, secret("s", "kv1", [kv, ok])]).pulumiDestroy.blockers).toEqual([]);
      const weak = assignment("op", user, kv.id!, []);
      expect(kinds(teardown([kv, weak, secret("s", "kv1", [kv, weak])]).pulumiDestroy)).toEqual(["no-access keyvault:Secret s"]);
    });

    it("a custom role from the plan counts by its data actions", () => {
      const kv = vault("kv1", [], { ...open, enableRbacAuthorization: true });
      const role = res("authorization:RoleDefinition", "role", {
        inputs: { roleDefinitionId: "abc", permissions: [{ dataActions: ["Microsoft.KeyVault/vaults/secrets/*"], notDataActions: [] }] },
        state: { name: "abc" },
      });
      const a = assignment("op", "abc", `${kv.id}/secrets/s`, [role]);
      expect(teardown([kv, role, a, secret("s", "kv1", [kv, a])]).pulumiDestroy.blockers).toEqual([]);
    });
  });
});

describe("serialized deletes (kv-access-policy-409-serialize, vm-one-extension-operation-at-a-time)", () => {
  it("two access-policy removals on one vault with no order: blocked; with deletedWith the vault: fine", () => {
    const kv = vault("kv1", [], { networkAcls: { defaultAction: "Allow" } });
    const t = teardown([kv, policy("a", "kv1", "x", ["get"], [kv]), policy("b", "kv1", "y", ["get"], [kv])]);
    expect(kinds(t.pulumiDestroy)).toEqual(["serialized-deletes vault kv1"]);
    const skipped = teardown([
      kv,
      policy("a", "kv1", "x", ["get"], [kv], { deletedWith: kv.urn }),
      policy("b", "kv1", "y", ["get"], [kv], { deletedWith: kv.urn }),
    ]);
    expect(skipped.pulumiDestroy.blockers).toEqual([]);
  });

  it("an extension and a run command on one VM: blocked unless one waits for the other", () => {
    const vm = vmOp("compute:VirtualMachine", "vm", "vm1", []);
    const ext = vmOp("compute:VirtualMachineExtension", "ext", "vm1", [vm]);
    expect(kinds(teardown([vm, ext, vmOp("compute:VirtualMachineRunCommandByVirtualMachine", "run", "vm1", [vm])]).pulumiDestroy)).toEqual([
      "serialized-deletes vm vm1",
    ]);
    expect(
      teardown([vm, ext, vmOp("compute:VirtualMachineRunCommandByVirtualMachine", "run", "vm1", [vm, ext])]).pulumiDestroy.blockers,
    ).toEqual([]);
  });
});

describe("what a deleted vault leaves (kv-purge-protection-blocks-purge, kv-soft-delete-keeps-name)", () => {
  it("an ephemeral lab's vault with purge protection blocks the lab CLI's purge, not pulumi destroy", () => {
    const t = teardown([vault("kv1", [], { enablePurgeProtection: true, softDeleteRetentionInDays: 7 })]);
    expect(t.pulumiDestroy.succeeds).toBe(true);
    expect(kinds(t.labDestroy)).toEqual(["purge-protection keyvault:Vault kv1"]);
    expect(t.remains[0]).toMatchObject({ state: "soft-deleted" });
    expect(t.remains[0].message).toMatch(/7 days, its name reserved; purge protection forbids purging/);
  });

  it("without purge protection the CLI purges it", () => {
    const t = teardown([vault("kv1", [], { softDeleteRetentionInDays: 7 })]);
    expect(t.labDestroy.succeeds).toBe(true);
    expect(t.remains[0].message).toMatch(/the lab CLI purges it/);
  });
});

describe("deletedWith a resource that does not contain it (kv-delete-removes-scoped-role-assignments)", () => {
  it("a vault-scoped assignment goes with the vault; one scoped to storage is left behind", () => {
    const kv = vault("kv1", []);
    const inVault = res("authorization:RoleAssignment", "in", {
      inputs: { principalId: "p", scope: `${kv.id}/secrets/s`, roleDefinitionId: "r" },
      deletedWith: kv.urn,
    });
    const elsewhere = res("authorization:RoleAssignment", "out", {
      inputs: { principalId: "p", scope: `${RG_ID}/providers/Microsoft.Storage/storageAccounts/st`, roleDefinitionId: "r" },
      deletedWith: kv.urn,
    });
    expect(teardown([kv, inVault, elsewhere]).leftovers).toEqual(["authorization:RoleAssignment out"]);
  });
});

describe("the program's stacks", () => {
  const model = (run: Awaited<ReturnType<typeof runLab>>) =>
    planTeardown(run.resources, { deployer: MOCK_CLIENT.objectId, ephemeral: run.outputs.ephemeral === true });
  const ephemeral = { ephemeral: "true", createdAt: "2026-11-23T00:00:00Z", owner: "me" };

  it("dev (lasting): pulumi destroy is blocked only by the protected vault and storage account, named", async () => {
    const t = model(await runLab());
    expect(t.pulumiDestroy.blockers.map((b) => b.kind)).toEqual(["protected", "protected"]);
    expect([...t.protected].sort()).toEqual(["keyvault:Vault vault-kv", "storage:StorageAccount storage-account"]);
    expect(t.labDestroy.blockers[0].kind).toBe("lasting-lab");
  });

  it.each([
    ["dev", {}],
    ["dev with lab users", { labUsersGroupObjectId: "00000000-0000-0000-0000-00000000a5e5" }],
    ["win-rbac", {}],
  ])("%s, ephemeral: pulumi destroy and lab destroy pass, no secret goes through the data plane", async (label, overrides) => {
    const run = await runLab({ ...ephemeral, ...overrides }, label === "win-rbac" ? "win-rbac" : "dev");
    const t = model(run);
    expect(t.pulumiDestroy).toEqual({ succeeds: true, blockers: [] });
    expect(t.labDestroy).toEqual({ succeeds: true, blockers: [] });
    expect(t.steps.filter((s) => s.plane === "data")).toEqual([]);
    expect(t.leftovers).toEqual([]);
    expect(t.remains.every((r) => r.state === "soft-deleted")).toBe(true);
  });

  it("win-rbac (lasting): only its protected resources block", async () => {
    const t = model(await runLab({}, "win-rbac"));
    expect(new Set(t.pulumiDestroy.blockers.map((b) => b.kind))).toEqual(new Set(["protected"]));
    expect(t.protected.length).toBe(2);
  });
});

describe("the lab as it was before deletedWith and serialized writes: every failure named at once", () => {
  it("a secret behind the firewall racing the deployer's policy, and seat policies removed in parallel (kv-access-policy-409-serialize)", () => {
    const rg = group();
    const kv = vault("kv", [rg]);
    const operator = policy("vault-operator1", "kv", DEPLOYER, ["get", "list", "set", "delete", "recover"], [rg, kv]);
    const seats = [1, 2].map((n) => policy(`vault-seat${n}`, "kv", `seat${n}`, ["get", "set"], [rg, kv]));
    const canary = secret("vault-canary", "kv", [rg, kv]);
    const t = teardown([rg, kv, operator, ...seats, canary]);
    expect(kinds(t.pulumiDestroy)).toEqual([
      "firewall keyvault:Secret vault-canary",
      "access-race keyvault:Secret vault-canary",
      "serialized-deletes vault kv",
    ]);
    expect(t.pulumiDestroy.blockers[2].message).toMatch(/^3 pair\(s\) of deletes on vault kv may run at once/);
    expect(t.labDestroy.succeeds).toBe(false);
  });
});
