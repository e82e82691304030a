import { BUILTIN_ROLES } from "../../lib/azure";
import { accessMatrix } from "../../offline/access-matrix";
import { res } from "./graph-fixtures";

describe("accessMatrix", () => {
  const vm = res("azure-native:compute:VirtualMachine", "seat1-vm", {
    parent: "urn:pulumi:s::p::dsvm-identity-lab:lab:DataScienceVm::seat1",
    state: { name: "vm1", identity: { principalId: "p-1" } },
  });
  const account = res("azure-native:storage:StorageAccount", "acct", {
    id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1",
    state: { name: "st1" },
  });
  const group = res("azure-native:resources:ResourceGroup", "lab", { id: "/subscriptions/s/resourceGroups/rg", state: { name: "rg" } });

  it("names seat identities, the deployer and other operators, and reads inline and standalone policies", () => {
    const rows = accessMatrix(
      [
        vm,
        res("azure-native:keyvault:AccessPolicy", "p1", {
          inputs: { vaultName: "kv", policy: { objectId: "p-1", permissions: { secrets: ["get", "set"] } } },
        }),
        res("azure-native:keyvault:Vault", "kv", {
          state: { name: "kv" },
          inputs: { properties: { accessPolicies: [{ objectId: "op-2", permissions: { secrets: ["list"], keys: ["get"] } }] } },
        }),
        res("azure-native:keyvault:AccessPolicy", "p0", {
          inputs: { vaultName: "kv", policy: { objectId: "me", permissions: { secrets: ["get"] } } },
        }),
      ],
      { deployer: "me" },
    );
    expect(rows).toEqual([
      {
        principal: "seat 1 identity",
        principalId: "p-1",
        seat: 1,
        resource: "key vault kv",
        permissions: ["secrets/get", "secrets/set"],
        via: "access policy",
      },
      {
        principal: "deploying principal (operator)",
        principalId: "me",
        resource: "key vault kv",
        permissions: ["secrets/get"],
        via: "access policy",
      },
      {
        principal: "operator op-2",
        principalId: "op-2",
        resource: "key vault kv",
        permissions: ["secrets/list", "keys/get"],
        via: "inline access policy",
      },
    ]);
  });

  it("resolves role names and actions, built-in or custom, and the scope they hold at", () => {
    const custom = res("azure-native:authorization:RoleDefinition", "role", {
      state: { name: "g-1" },
      inputs: { roleName: "Only listKeys", permissions: [{ actions: ["a/listkeys/action"] }] },
    });
    const rows = accessMatrix([
      vm,
      account,
      group,
      custom,
      res("azure-native:authorization:RoleAssignment", "a1", {
        inputs: {
          principalId: "p-1",
          scope: account.id,
          roleDefinitionId: "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/g-1",
        },
      }),
      res("azure-native:authorization:RoleAssignment", "a2", {
        inputs: { principalId: "p-1", scope: group.id, roleDefinitionId: `/x/roleDefinitions/${BUILTIN_ROLES.contributor}` },
      }),
    ]);
    expect(rows.map((r) => [r.resource, r.via, r.permissions.join(" ")])).toEqual([
      ["resource group rg", "role: Contributor", "*"],
      ["storage account st1", "role: Only listKeys", "a/listkeys/action"],
    ]);
  });
});
