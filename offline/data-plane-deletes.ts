// Deletes that go to a Key Vault's data plane, not ARM: which types, the permission each needs, the deployer's grants
// in the plan that allow it, and the vault's firewall as seen from outside the lab. The teardown model asks these.
import type { RecordedResource } from "./harness";
import { ARM_TYPE, KEY_VAULT_ROLE_DATA_ACTIONS, TYPE } from "../lib/azure";

/** The data action a Key Vault secret's data-plane delete needs in the RBAC model. */
export const SECRET_DELETE_DATA_ACTION = `${ARM_TYPE.secret}/delete`;

/** azure-native types whose delete goes to the vault's data plane, not ARM (custom_keyvault.go), and the permission. */
export const DATA_PLANE_DELETES: Readonly<
  Record<string, { readonly policyPermission: string; readonly nameKey: string; readonly dataAction: string; readonly collection: string }>
> = {
  [TYPE.secret]: {
    policyPermission: "delete",
    nameKey: "secretName",
    dataAction: SECRET_DELETE_DATA_ACTION,
    collection: "secrets",
  },
  [TYPE.key]: {
    policyPermission: "delete",
    nameKey: "keyName",
    dataAction: `${ARM_TYPE.key}/delete`,
    collection: "keys",
  },
};

/** Matches an action against a role's action pattern (`*` is a wildcard), case-insensitively as Azure does. */
function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
      .join(".*")}$`,
    "i",
  );
  return re.test(action);
}

/** The data actions a role assignment grants: built-in Key Vault roles, or a custom role defined in the plan. */
function grantedDataActions(assignment: RecordedResource, resources: readonly RecordedResource[]): string[] {
  const roleId = String(assignment.inputs.roleDefinitionId ?? "");
  const guid = roleId.split("/").pop()!.toLowerCase();
  const builtin = KEY_VAULT_ROLE_DATA_ACTIONS[guid];
  if (builtin) return [...builtin.dataActions];
  const custom = resources.find(
    (r) => r.type === TYPE.roleDefinition && String(r.state?.name ?? r.inputs.roleDefinitionId ?? "").toLowerCase() === guid,
  );
  const perms: any[] = custom?.inputs.permissions ?? [];
  return perms.flatMap((p) =>
    (p.dataActions ?? []).filter((a: string) => !(p.notDataActions ?? []).some((n: string) => actionMatches(n, a))),
  );
}

export interface Grant {
  readonly resource: RecordedResource;
  /** What removes the grant: the grant itself, the resource it goes with, or nothing (protected: it stays). */
  readonly removedBy: RecordedResource | null;
}

/** The deployer's grants in the plan that allow a data-plane delete of `target` in `vault`. */
export function deployerGrants(
  target: RecordedResource,
  vault: RecordedResource,
  resources: readonly RecordedResource[],
  byUrn: ReadonlyMap<string, RecordedResource>,
  deployer: string,
): Grant[] {
  const need = DATA_PLANE_DELETES[target.type];
  const props = vault.inputs.properties ?? {};
  const me = deployer.toLowerCase();
  const removedBy = (r: RecordedResource): RecordedResource | null => {
    const seen = new Set<string>();
    let at: RecordedResource | undefined = r;
    while (at && !seen.has(at.urn)) {
      seen.add(at.urn);
      if (at.protect) return null;
      const next: RecordedResource | undefined = at.deletedWith ? byUrn.get(at.deletedWith) : undefined;
      if (!next) return at;
      at = next;
    }
    return at ?? r;
  };
  if (props.enableRbacAuthorization === true) {
    return resources
      .filter((r) => r.type === TYPE.roleAssignment && String(r.inputs.principalId ?? "").toLowerCase() === me)
      .filter((r) => {
        const scope = String(r.inputs.scope ?? "").toLowerCase();
        const vaultId = (vault.id ?? "").toLowerCase();
        const own = `${vaultId}/${need.collection}/${String(target.inputs[need.nameKey] ?? "").toLowerCase()}`;
        return scope !== "" && (scope === own || scope === vaultId || vaultId.startsWith(`${scope}/`));
      })
      .filter((r) => grantedDataActions(r, resources).some((p) => actionMatches(p, need.dataAction)))
      .map((r) => ({ resource: r, removedBy: removedBy(r) }));
  }
  const allows = (policy: any) =>
    String(policy?.objectId ?? "").toLowerCase() === me &&
    [...(policy?.permissions?.[need.collection] ?? [])].some((p: string) => p === need.policyPermission || p === "all");
  const inline = (props.accessPolicies ?? []).some(allows) ? [{ resource: vault, removedBy: removedBy(vault) }] : [];
  const standalone = resources
    .filter(
      (r) =>
        r.type === TYPE.accessPolicy &&
        String(r.inputs.vaultName ?? "").toLowerCase() === String(vault.inputs.vaultName ?? "").toLowerCase() &&
        allows(r.inputs.policy),
    )
    .map((r) => ({ resource: r, removedBy: removedBy(r) }));
  return [...inline, ...standalone];
}

/** The vault's firewall as seen from outside the lab: undefined if it admits anyone, else why it refuses. */
export function firewallRefusal(vault: RecordedResource): { message: string } | undefined {
  const props = vault.inputs.properties ?? {};
  const name = vault.inputs.vaultName;
  if (props.publicNetworkAccess === "Disabled")
    return { message: `vault ${name} has public network access disabled: only a private endpoint reaches its data plane` };
  const acl = props.networkAcls;
  if (acl?.defaultAction !== "Deny") return undefined;
  const ranges: string[] = (acl.ipRules ?? []).map((r: any) => r.value).filter(Boolean);
  const bypass = acl.bypass ?? "AzureServices";
  return {
    message: ranges.length
      ? `vault ${name}'s firewall (default Deny, bypass ${bypass}) admits only its virtual network rules and ${ranges.join(", ")}: refused from anywhere else, and always from a GitHub-hosted runner`
      : `vault ${name}'s firewall (default Deny, bypass ${bypass}, no IP rule) admits only its virtual network rules: refused from an operator's machine and from any CI runner`,
  };
}
