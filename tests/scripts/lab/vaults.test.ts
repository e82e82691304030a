// Which vaults a destroy purges: by the stack's state and Azure's deleted-vault record, never by its outputs.
import { ownVaults, VaultRef, vaultsFromGroups, vaultsToPurge } from "../../../scripts/lab/vaults";

const SUB = "00000000-0000-0000-0000-000000000501";
const OTHER = "00000000-0000-0000-0000-000000000999";

describe("vaults to purge: by the stack's state and Azure's deleted-vault record, never by its outputs", () => {
  const rg = (sub = SUB, name = "dsvmlab-ws-rg") => `/subscriptions/${sub}/resourceGroups/${name}`;
  const kvId = (name: string, group = rg()) => `${group}/providers/Microsoft.KeyVault/vaults/${name}`;
  const vault = (name: string, vaultId = kvId(name), subscriptionId = SUB, location = "westeurope"): VaultRef => ({
    name,
    location,
    subscriptionId,
    vaultId,
  });
  const state = (...vaults: string[]) => [
    { type: "pulumi:pulumi:Stack", id: undefined },
    { type: "azure-native:resources:ResourceGroup", id: rg() },
    ...vaults.map((id) => ({ type: "azure-native:keyvault:Vault", id })),
  ];

  it("takes the resource group and the vault names Pulumi recorded creating", () => {
    expect(ownVaults(state(kvId("kv-1"), kvId("KV-2")))).toEqual({
      resourceGroups: [{ id: rg().toLowerCase(), subscriptionId: SUB }],
      names: ["kv-1", "kv-2"],
    });
  });

  it.each([
    ["no state", undefined, /records no resources/],
    ["an empty state", [], /records no resources/],
    ["no resource group", [{ type: "azure-native:keyvault:Vault", id: kvId("kv-1") }], /records no resource group/],
    [
      "a vault outside its resource group",
      [
        { type: "azure-native:resources:ResourceGroup", id: rg() },
        { type: "azure-native:keyvault:Vault", id: kvId("kv-1", rg(SUB, "prod-rg")) },
      ],
      /no vault in its resource group/,
    ],
    [
      "a resource group id that is no ARM id",
      [
        { type: "azure-native:resources:ResourceGroup", id: "rg" },
        { type: "azure-native:keyvault:Vault", id: kvId("kv-1") },
      ],
      /no resource group/,
    ],
    [
      "a resource group name Azure refuses (it ends in a period)",
      [
        { type: "azure-native:resources:ResourceGroup", id: rg(SUB, "lab-rg.") },
        { type: "azure-native:keyvault:Vault", id: kvId("kv-1", rg(SUB, "lab-rg.")) },
      ],
      /no resource group/,
    ],
    [
      "a resource group in a subscription that is no GUID",
      [
        { type: "azure-native:resources:ResourceGroup", id: rg("sub-1") },
        { type: "azure-native:keyvault:Vault", id: kvId("kv-1", rg("sub-1")) },
      ],
      /no resource group/,
    ],
    [
      "a vault that is another type's",
      [
        { type: "azure-native:resources:ResourceGroup", id: rg() },
        { type: "azure-native:storage:StorageAccount", id: kvId("kv-1") },
      ],
      /no vault/,
    ],
  ])("%s: nothing is purged", (_, resources, problem) => {
    const own = ownVaults(resources as never);
    expect("problem" in own && own.problem).toMatch(problem);
    expect(vaultsToPurge(own, [vault("kv-1")])).toEqual([]);
  });

  // The red-team cases: outputs naming a victim vault in another subscription, or another lab's vault, purge nothing.
  it("only a deleted vault whose original id lies in the stack's own resource group and whose name the state recorded", () => {
    const own = ownVaults(state(kvId("kv-1"), kvId("kv-2")));
    const ok1 = vault("KV-1", kvId("kv-1").toUpperCase());
    const ok2 = vault("kv-2", kvId("kv-2"), SUB, "eastus2");
    const deleted = [
      ok1,
      ok2,
      vault("kv-1", kvId("kv-1", rg(OTHER)), OTHER), // same name, another subscription
      vault("kv-2", kvId("kv-2", rg(SUB, "dsvmlab-other-rg"))), // same name, another lab's resource group
      vault("kv-3"), // in its resource group, but not recorded in its state
      vault("prod-kv-victim", kvId("prod-kv-victim", rg(OTHER, "prod"))),
      { name: "kv-1", location: "westeurope", subscriptionId: SUB }, // no original id: cannot be judged
      vault("kv-1", kvId("kv-9")), // the record's name and its original id disagree
      vault("kv-1", kvId("kv-1"), OTHER), // listed in another subscription than its id says
    ];
    expect(vaultsToPurge(own, deleted)).toEqual([ok1, ok2]);
    expect(vaultsFromGroups([rg().toLowerCase()], deleted).map((v) => v.name)).toEqual(["KV-1", "kv-2", "kv-3", "kv-1", "kv-1"]);
  });
});
