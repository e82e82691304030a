// Lifecycle: a lasting lab keeps what it cannot get back (90-day soft-delete retention, purge protection, `protect`
// on the vault and the storage account); with checkOnDeploy every seat has its in-VM check, and that check can fail
// the deploy.
import { DECLARED_RUN_COMMAND_NAME } from "../allow-list";
import { LASTING_SOFT_DELETE_DAYS } from "../baseline";
import { Finding, known, Rule } from "../engine";
import { azureName, byType, isRunCommand, seatVms, T } from "../graph";
import { isTrue } from "../shapes/paths";
import { targetVm } from "./inventory";

export const lifecycleRules: readonly Rule[] = [
  {
    kind: "resource",
    types: [T.vault],
    id: "kv-purge-protection",
    name: "Purge protection is on, unless the stack is ephemeral",
    enforcement: "mandatory",
    why: "With purge protection, nobody (not even an owner) can erase a deleted secret before retention ends. Ephemeral labs skip it so teardown can free the vault's name.",
    source: ["MCSB DP-8", "Checkov CKV_AZURE_110", "tfsec azure-keyvault-no-purge"],
    fix: "Set properties.enablePurgeProtection: true (send it only when true: the API rejects an explicit false), or mark the stack ephemeral.",
    check: (r, ctx) =>
      ctx.ephemeral || r.inputs.properties?.enablePurgeProtection === true
        ? []
        : [
            `Vault ${azureName(r, "vaultName")} has no purge protection on a non-ephemeral stack: set properties.enablePurgeProtection to true.`,
          ],
  },
  {
    kind: "resource",
    types: [T.vault],
    id: "lifecycle-lasting-retention",
    name: `A lasting lab's vault keeps deleted secrets ${LASTING_SOFT_DELETE_DAYS} days`,
    enforcement: "mandatory",
    why: "Soft-delete retention is how long a deleted secret (or the whole vault) can still be recovered. A lasting lab keeps Azure's maximum; shorter is only for ephemeral labs, whose vaults are purged on purpose.",
    source: ["MCSB DP-8 (protect keys and secrets from deletion)", "Checkov CKV_AZURE_42 (key vault is recoverable)"],
    fix: `Set properties.softDeleteRetentionInDays: ${LASTING_SOFT_DELETE_DAYS} on lasting labs (lib/lifecycle.ts).`,
    check: (r, ctx) => {
      const days = r.inputs.properties?.softDeleteRetentionInDays;
      return ctx.ephemeral || days === undefined || days === LASTING_SOFT_DELETE_DAYS
        ? []
        : [
            `Vault ${azureName(r, "vaultName")} keeps deleted secrets ${JSON.stringify(days)} days on a lasting stack: set softDeleteRetentionInDays to ${LASTING_SOFT_DELETE_DAYS}.`,
          ];
    },
  },
  {
    kind: "stack",
    id: "lifecycle-lasting-protect",
    name: "A lasting lab's vaults and storage account carry `protect`",
    enforcement: "mandatory",
    why: "`protect` makes `pulumi destroy` stop before deleting the lab's secrets and data; without it one command (or a reaper mistake) deletes a lasting lab.",
    source: ["MCSB DP-8", "MCSB BR-1 (backup and recovery)"],
    fix: "Pass protect: true to the vault and storage account on lasting labs (lib/lifecycle.ts protect).",
    check: (resources, ctx) =>
      ctx.ephemeral
        ? []
        : [...byType(resources, T.vault), ...byType(resources, T.storage)]
            .filter((r) => r.protect !== true)
            .map((r) => ({
              urn: r.urn,
              message: `${r.type === T.vault ? "Vault" : "Storage account"} ${azureName(r, r.type === T.vault ? "vaultName" : "accountName")} is not protected on a lasting stack: set the protect resource option.`,
            })),
  },
  {
    kind: "stack",
    id: "lifecycle-check-on-deploy",
    name: "With checkOnDeploy, every seat has its in-VM check, and a failing check fails the deploy",
    enforcement: "mandatory",
    why: "checkOnDeploy promises that a lab whose seats cannot reach their secrets never deploys green. A seat without its check, or a check that cannot fail the deploy, breaks that promise silently.",
    source: ["seed step 5 (verify from inside the VM)", "MCSB PV-3"],
    fix: "Keep one InVmCheck per seat (index.ts) with treatFailureAsDeploymentFailure true and asyncExecution false.",
    check: (resources, ctx) => {
      if (ctx.checkOnDeploy !== true) return [];
      const checks = resources.filter(
        (r) => isRunCommand(r) && (!known(r.inputs.runCommandName) || DECLARED_RUN_COMMAND_NAME.test(r.inputs.runCommandName)),
      );
      const target = new Map(checks.map((c) => [c, targetVm(c, resources)]));
      return seatVms(resources, ctx).flatMap((vm): Finding[] => {
        const mine = checks.filter((c) => target.get(c) === vm);
        if (!mine.length)
          return [
            {
              urn: vm.urn,
              message: `Seat VM ${azureName(vm, "vmName")} has no in-VM check though checkOnDeploy is true: add its InVmCheck.`,
            },
          ];
        return (
          mine
            // What must be on is `true` itself; what must be off is anything that reads as true ("True", "1"...).
            .filter((c) => c.inputs.treatFailureAsDeploymentFailure !== true || isTrue(c.inputs.asyncExecution))
            .map((c) => ({
              urn: c.urn,
              message: `Run command ${c.name} cannot fail the deploy (treatFailureAsDeploymentFailure ${JSON.stringify(c.inputs.treatFailureAsDeploymentFailure)}, asyncExecution ${JSON.stringify(c.inputs.asyncExecution)}): set treatFailureAsDeploymentFailure true and asyncExecution false.`,
            }))
        );
      });
    },
  },
];
