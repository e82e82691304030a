// What tearing a lab down meets: Pulumi's destroy order and its protect refusal, and what a deleted vault leaves
// behind. The offline plan's teardown model rests on these (and on kv-firewall-refusal, in keyvault.ts).
import type { ConformanceEntry } from "./types";

const CHECKED = "2026-11-23";
const PULUMI = "pulumi/pulumi";
const PULUMI_AT = "1b5949891b3cefcb9974752b24a5ecef0acc86c8";
const SOFT_DELETE_DOC =
  "MicrosoftDocs/azure-security-docs:articles/key-vault/general/soft-delete-overview.md@025b849e7cc18171cdfd3b5cb33006aed3fa59b2";

export const TEARDOWN_CONFORMANCE: readonly ConformanceEntry[] = [
  {
    id: "pulumi-destroy-order",
    service: "pulumi",
    behaviour:
      "The engine deletes a resource only after every resource that depends on it: dependencies, property dependencies, its children (a resource depends on its parent), the resources that name it in deletedWith, and a component's children for whoever depends on the component. It schedules the deletes as waves (antichains) run in parallel, each wave after the previous one. When a delete fails, the engine stops (no --continue-on-error); either way nothing that the failed resource depends on is deleted afterwards.",
    consequence:
      "The plan's teardown model walks the recorded graph with the same edges and waves. Two deletes with no path between them may run at once: a data-plane delete whose access grant has no path to it races that grant's removal, and two deletes Azure serializes race each other.",
    sources: [
      {
        ref: `${PULUMI}:pkg/resource/graph/dependency_graph.go@${PULUMI_AT}`,
        date: "2026-08-21",
        quote:
          "DependenciesOf returns a set of resources upon which the given resource depends directly. This includes the resource's provider, parent, any resources in the `Dependencies` list, any resources in the `PropertyDependencies` map, and any resource referenced by the `DeletedWith` or `ReplaceWith` fields.",
      },
      {
        ref: `${PULUMI}:pkg/resource/deploy/step_generator.go@${PULUMI_AT}`,
        date: "2026-08-21",
        quote:
          "ScheduleDeletes ... producing a list of list of steps, where each list can be executed in parallel but a previous list must be executed to completion before advancing to the next list.",
      },
      {
        ref: `${PULUMI}:pkg/resource/deploy/deployment_executor.go@${PULUMI_AT}`,
        date: "2026-08-21",
        quote: "erroredDeps: for each errored step, dg.TransitiveDependenciesOf(r) are left out of every later antichain",
      },
    ],
    coveredBy: ["tests/offline/teardown.test.ts"],
    checked: CHECKED,
  },
  {
    id: "pulumi-protect-blocks-destroy",
    service: "pulumi",
    behaviour:
      "Deleting a protected resource fails with 'cannot be deleted because it is protected', in a preview as well (the check comes before the dry-run branch), so `pulumi destroy` stops in its preview and deletes nothing. Without a preview (the Automation API's destroy passes --skip-preview, which the lab CLI uses) the engine reports every protected resource, deletes the rest, and keeps what the protected ones depend on.",
    variants: [
      "CLI `pulumi destroy` (preview first): nothing is deleted",
      "Automation API destroy (--skip-preview): all but the protected resources and their dependencies are deleted; the operation fails",
    ],
    consequence:
      "A lasting lab (protect on the vault and the storage account) is reported with its protected resources named: its `pulumi destroy` is blocked by design. An ephemeral lab protects nothing.",
    sources: [
      {
        ref: `${PULUMI}:pkg/resource/deploy/step.go@${PULUMI_AT}`,
        date: "2026-08-21",
        quote:
          "Refuse to delete protected resources ... if !s.replacing && s.old.Protect && !s.deployment.opts.IgnoreProtect { return ... deleteProtectedError",
      },
      {
        ref: `${PULUMI}:pkg/resource/deploy/step_executor.go@${PULUMI_AT}`,
        date: "2026-08-21",
        quote:
          "We special case deleteProtectedError to always continue past them, this allows us to report back all protect delete errors in a single run.",
      },
      {
        ref: `${PULUMI}:pkg/backend/apply.go@${PULUMI_AT}`,
        date: "2026-08-21",
        quote:
          "plan, changes, err := PreviewThenPrompt(ctx, kind, stack, op, apply, explainer); if err != nil || kind == apitype.PreviewUpdate { return changes, err",
      },
      {
        ref: `${PULUMI}:sdk/nodejs/automation/stack.ts@${PULUMI_AT}`,
        date: "2026-08-21",
        quote: 'const args = ["destroy"]; ... args.push("--yes", "--skip-preview");',
      },
      {
        ref: "https://www.pulumi.com/docs/iac/concepts/resources/options/protect/",
        date: "2026",
        quote: "A protected resource cannot be deleted directly.",
      },
    ],
    coveredBy: ["tests/offline/teardown.test.ts", "tests/scripts/plan/plan.test.ts"],
    checked: CHECKED,
  },
  {
    id: "kv-purge-protection-blocks-purge",
    service: "keyvault",
    behaviour:
      "With purge protection on, a deleted vault (or object) cannot be purged until its retention period (7 to 90 days, fixed at creation) has passed; it stays recoverable until then. Purge protection cannot be turned off.",
    consequence:
      "A lasting lab's vault, once deleted, stays soft-deleted for 90 days. The lab CLI purges only ephemeral labs' vaults, which have no purge protection; the teardown model blocks `lab destroy` on any vault with it.",
    sources: [
      {
        ref: SOFT_DELETE_DOC,
        date: "2024-02-20",
        quote:
          "When purge protection is on, a vault or an object in the deleted state can't be purged until the retention period has passed.",
      },
    ],
    coveredBy: ["tests/offline/teardown.test.ts"],
    checked: CHECKED,
  },
  {
    id: "kv-soft-delete-keeps-name",
    service: "keyvault",
    behaviour:
      "A deleted vault is soft-deleted (always on since February 2025) and keeps its globally unique name until it is purged or its retention ends; a vault of that name cannot be created meanwhile.",
    consequence:
      "Every lab vault name carries a random suffix; the plan's destroy section says for how long each deleted vault keeps its name.",
    sources: [
      {
        ref: SOFT_DELETE_DOC,
        date: "2024-02-20",
        quote: "You can't reuse the name of a key vault that was soft-deleted, until the retention period expires.",
      },
    ],
    coveredBy: ["tests/offline/teardown.test.ts"],
    checked: CHECKED,
  },
  {
    id: "kv-delete-removes-scoped-role-assignments",
    service: "keyvault",
    behaviour:
      "Deleting a vault deletes the Azure RBAC role assignments on it (and its secrets' scopes); recovering the vault does not bring them back.",
    consequence:
      "A role assignment scoped to a vault or one of its secrets may be deletedWith that vault: nothing is left behind. The teardown model reports a deletedWith whose target does not contain the resource (its id or scope is not under the target's id) as left behind.",
    sources: [
      {
        ref: SOFT_DELETE_DOC,
        date: "2024-02-20",
        quote:
          "When a Key Vault is soft-deleted, services that are integrated with the Key Vault will be deleted. For example: Azure RBAC roles assignments and Event Grid subscriptions.",
      },
    ],
    coveredBy: ["tests/offline/teardown.test.ts"],
    checked: CHECKED,
  },
];
