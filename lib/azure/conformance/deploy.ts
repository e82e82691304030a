// What `pulumi up` and `pulumi destroy` meet in Azure and in the provider: vault write conflicts, one extension
// operation per VM, run commands that are not re-run, data-plane secret deletes, deletedWith and principalType.
import type { ConformanceEntry } from "./types";

const CHECKED = "2026-11-23";

export const DEPLOY_CONFORMANCE: readonly ConformanceEntry[] = [
  {
    id: "kv-access-policy-409-serialize",
    service: "keyvault",
    behaviour:
      "Parallel writes to one vault (access policies, secrets through ARM) fail with 409 ConflictError: the vault 'changed from the point the operation began' and the caller must serialize the operations. The provider's AccessPolicy reads the vault, then sends one UpdateAccessPolicy, with no lock and no retry. A vault's inline policies and standalone AccessPolicy resources overwrite each other.",
    consequence:
      "Every access policy of a vault is inline on the Vault (one write, after that shard's VMs), never a standalone AccessPolicy; the probe secret is written after the canary. Chosen over chaining standalone policies by the plan's critical path (9 steps at 2 and 500 seats, against 507 chained at 500).",
    sources: [
      {
        ref: "pulumi/pulumi-azure-native#1013",
        date: "2021-07-22",
        quote:
          "To prevent this error, serialize the operations so that only one operation is performed on the Microsoft.KeyVault.UnifiedStorage.Core.DomainModel.ResourceId at a time.",
      },
      {
        ref: "Azure/AzureKeyVault#6",
        date: "2021-06-17",
        quote: '"code": "ConflictError", ... This can happen if parallel operations are being performed',
      },
      {
        ref: "pulumi/pulumi-azure-native:provider/pkg/resources/customresources/custom_keyvault_accesspolicy.go@238fe123e625fbbc5f3af93b35a25544eb147f53",
        date: "2021",
        quote: "write: readFromProperties, then modify (UpdateAccessPolicy, kind Replace); no lock, no retry",
      },
      {
        ref: "pulumi/pulumi-azure-native#594",
        date: "2024-01-04",
        quote:
          "you should only use stand-alone access policies (as their own resources), or inline access policies defined as part of the Vault resource, not both",
      },
    ],
    coveredBy: ["tests/components/SecretVault.test.ts", "tests/index.test.ts", "tests/scale.test.ts"],
    checked: CHECKED,
  },
  {
    id: "vm-one-extension-operation-at-a-time",
    service: "compute",
    behaviour:
      "A VM runs one extension operation at a time. A second one started meanwhile either preempts the first (OperationPreempted: 'Operation execution has been preempted by a more recent operation.') or is refused (409 Conflict: 'Run command extension execution is in progress').",
    variants: ["OperationPreempted (the earlier operation is cancelled)", "Conflict 409 (the later run command is refused)"],
    consequence:
      "On each seat the in-VM check's run command depends on the seat's Entra sign-in extension, so the two never run at once; no other extension is declared.",
    sources: [
      {
        ref: "Azure/azure-rest-api-specs#22434",
        date: "2023-04-20",
        quote: "OperationPreempted Operation execution has been preempted by a more recent operation.",
      },
      {
        ref: "MicrosoftDocs/azure-docs#110433",
        date: "2023-06-03",
        quote: "(Conflict) Run command extension execution is in progress. Please wait for completion before invoking a run command.",
      },
      {
        ref: "Azure/azure-linux-extensions#750",
        date: "2019-02-21",
        quote:
          "Long running operation failed with status 'Canceled'. Additional Info:'The operation has been preempted by a more recent operation.'",
      },
    ],
    coveredBy: ["tests/components/InVmCheck.test.ts", "tests/index.test.ts", "tests/scale.test.ts"],
    checked: CHECKED,
  },
  {
    id: "run-command-identical-request-not-rerun",
    service: "compute",
    behaviour:
      "A managed run command executes when it is created. Sending the same CreateOrUpdate again need not execute it again, and on Linux deleting it and creating it again under the same name does not either (a bug Microsoft has scheduled a fix for). azure-native keeps a failed run command in state, so the next up would send that identical request.",
    variants: [
      "Linux: an identical request, or delete and re-create under the same name, is not executed",
      "Windows: a repeated run command by the same name runs (per the reviewer of azure-compute-docs#178)",
    ],
    consequence:
      "The run command's name carries a fingerprint of the probe script, its arguments (vault URI, secret name, storage account) and the seat's grants (ids, roles, principal), so any change creates a new run command, which Azure executes; an unchanged lab sends nothing.",
    sources: [
      {
        ref: "Azure/azure-sdk-for-net#47307",
        date: "2024-11-24",
        quote: "running CreateOrUpdateAsync again does not re-execute the command",
      },
      {
        ref: "MicrosoftDocs/azure-compute-docs#178",
        date: "2025-03-20",
        quote: "there is a bug in Linux that work is scheduled to fix. Deleting the Run command and running it again in Linux won't work.",
      },
    ],
    coveredBy: ["tests/components/InVmCheck.test.ts"],
    checked: CHECKED,
  },
  {
    id: "pulumi-deleted-with",
    service: "pulumi",
    behaviour:
      "With `deletedWith: R`, Pulumi skips a resource's delete only when R is being deleted in the same operation; otherwise (the resource alone removed from the program) it is deleted as usual.",
    consequence:
      "Secrets, and the seats' secret-scope role assignments, are deletedWith their vault: `pulumi destroy` never calls the data plane for them, and removing one seat still deletes that seat's assignments (and drops its inline policy with the vault's next write).",
    sources: [
      {
        ref: "https://www.pulumi.com/docs/iac/concepts/resources/options/deletedwith/",
        date: "2026",
        quote: "The deletedWith resource option allows you to skip resource deletion if another resource is being deleted as well.",
      },
    ],
    coveredBy: ["tests/components/SecretVault.test.ts", "tests/components/VaultRbacAccess.test.ts", "tests/index.test.ts"],
    checked: CHECKED,
  },
  {
    id: "kv-secret-delete-is-data-plane",
    service: "pulumi-azure-native",
    behaviour:
      "azure-native creates, reads and updates a keyvault.Secret through ARM, but deletes it with the Key Vault data-plane client (DeleteSecret on https://<vault>.vault.azure.net) from wherever `pulumi` runs; a 404 counts as deleted.",
    consequence:
      "Behind the vault firewall (default Deny, bypass None) that delete is refused from the operator's machine, and it races the deletion of the deployer's own access; so every secret is deletedWith its vault (pulumi-deleted-with).",
    sources: [
      {
        ref: "pulumi/pulumi-azure-native:provider/pkg/resources/customresources/custom_keyvault.go@006a62afe453b416e5d5c98d2d91c4c7281f52f9",
        date: "2021",
        quote: 'DELETE is implemented via the KeyVault "data plane" API, because it isn\'t available via ARM.',
      },
    ],
    coveredBy: ["tests/components/SecretVault.test.ts"],
    checked: CHECKED,
  },
  {
    id: "role-assignment-principal-type",
    service: "authorization",
    behaviour:
      'A role assignment\'s principalType must match the principal. Omitted, the azure-native SDK sends "User". Wrong, ARM refuses with UnmatchedPrincipalType. Without a type ARM looks the principal up in the directory, and a principal created moments ago (a new VM identity) is not found yet: PrincipalNotFound, whose message says to set principalType.',
    variants: ["UnmatchedPrincipalType (wrong type)", "PrincipalNotFound (a new principal before replication, no type given)"],
    consequence:
      "Every assignment names its type: ServicePrincipal for seat identities, Group for lab users, and config operatorPrincipalType for the deploying principal and operators (VM Administrator Login on Windows seats, Secrets Officer in the RBAC model).",
    sources: [
      {
        ref: "https://www.npmjs.com/package/@pulumi/azure-native/v/3.28.0",
        date: "2026",
        quote: 'authorization/roleAssignment.js: resourceInputs["principalType"] = (args?.principalType) ?? "User"',
      },
      {
        ref: "Azure/modern-web-app-pattern-dotnet#129",
        date: "2023-04-18",
        quote:
          '"code": "UnmatchedPrincipalType", "message": "The PrincipalId \'...\' has type \'ServicePrincipal\' , which is different from specified PrinciaplType \'User\'."',
      },
      {
        ref: "Azure/azure-dev#5814",
        date: "2025-09-29",
        quote:
          "UnmatchedPrincipalType: The PrincipalId '[MYPRINCIPALID]' has type 'Group' , which is different from specified PrinciaplType 'User'.",
      },
      {
        ref: "Azure/HubAndSpokeResearchEnclave#50",
        date: "2024-04-18",
        quote:
          "If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property",
      },
    ],
    coveredBy: ["tests/components/DataScienceVm.test.ts", "tests/components/WindowsSeat.test.ts"],
    checked: CHECKED,
  },
  {
    id: "pulumi-program-export-function",
    service: "pulumi",
    behaviour:
      "Pulumi's Node.js language host requires the program's entry module; when what it exports is a function, it calls it and awaits the result, whose properties become the stack outputs. Its Automation API runs an inline program in a store of its own (withLocalStorage, then runInPulumiStack).",
    consequence:
      "index.ts exports the program as a function that returns LabOutputs; the offline harness calls it the same way, each run in a store of its own, so tests and the plan run the program many times in one process without reloading the SDK.",
    sources: [
      {
        ref: "pulumi/pulumi:sdk/nodejs/cmd/run/run.ts@b5aa36d3cab0ac96c199a9e86b7ab37aca04711b",
        date: "2026",
        quote: "If the exported value was itself a Function, then just execute it.",
      },
      {
        ref: "npm @pulumi/pulumi@3.248.0: automation/server.js (withLocalStorage, runInPulumiStack) and cmd/run/run.js",
        date: "2026",
      },
    ],
    coveredBy: ["tests/offline/program-function.test.ts"],
    checked: CHECKED,
  },
];
