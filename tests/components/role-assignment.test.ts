import { TYPE } from "../../lib/azure";
import { roleAssignmentGuid } from "../../lib/naming";
import { ofType, one, runComponents } from "../helpers/program";

const ASSIGNMENT = TYPE.roleAssignment;
const SCOPE = "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/labst12345678";

/** grant() alone: the role assignment helper every component uses. */
describe("grant (components/role-assignment.ts)", () => {
  it("names an assignment by scope, principal and role: the same grant twice gets the same name, another principal or role another", async () => {
    const run = await runComponents((load) => {
      const { grant, roleIdIn } = load<typeof import("../../components/role-assignment")>("components/role-assignment");
      const reader = roleIdIn("sub-1", "acdd72a7-3385-48ef-bd42-f606fba81ae7");
      const args = {
        principalId: "p1",
        principalType: "ServicePrincipal" as const,
        roleDefinitionId: reader,
        scope: SCOPE,
        description: "d",
      };
      grant("a", args);
      // The scope and role id in another case: ARM ids are case-insensitive, so still the same assignment.
      grant("a-cased", {
        ...args,
        scope: SCOPE.toUpperCase(),
        roleDefinitionId: roleIdIn("SUB-1", "ACDD72A7-3385-48EF-BD42-F606FBA81AE7"),
      });
      grant("b", { ...args, principalId: "p2" });
      grant("c", { ...args, roleDefinitionId: roleIdIn("sub-1", "b24988ac-6180-42a0-ab88-20f7382dd24c") });
    });
    const name = (n: string) => one(run, ASSIGNMENT, n).inputs.roleAssignmentName;
    const role = "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7";
    expect(one(run, ASSIGNMENT, "a").inputs).toMatchObject({
      principalId: "p1",
      principalType: "ServicePrincipal",
      roleDefinitionId: role,
      scope: SCOPE,
      description: "d",
      roleAssignmentName: roleAssignmentGuid(SCOPE, "p1", role),
    });
    expect(name("a-cased")).toBe(name("a"));
    expect(new Set(["a", "b", "c"].map(name)).size).toBe(3);
    expect(ofType(run, ASSIGNMENT)).toHaveLength(4);
  });
});
