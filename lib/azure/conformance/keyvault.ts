// Key Vault's answers that the in-VM probes, verify and the local twin rely on: how a refusal reads (permission or
// network), what the firewall covers and what it does not, how authentication fails; and run command's output window,
// which bounds what the probe may print.
import type { ConformanceEntry } from "./types";

const CHECKED = "2026-11-23";
const SECURITY_DOCS = "MicrosoftDocs/azure-security-docs:articles/key-vault/general";
const COMMON_ERRORS = `${SECURITY_DOCS}/common-error-codes.md@1a68c97635f25b812521486e3706e7c13eb7ad7e`;
const RBAC_BODY = "piyushsachdeva/Terraform_AKS#2";

export const KEYVAULT_CONFORMANCE: readonly ConformanceEntry[] = [
  {
    id: "kv-list-denied-inner-code-varies",
    service: "keyvault",
    behaviour:
      "Key Vault refuses an operation the caller may not do with 403 and error code Forbidden, but the inner code varies: AccessDenied for a missing access-policy permission, " +
      'ForbiddenByPolicy for a policy the caller does not satisfy, ForbiddenByRbac under RBAC, other codes elsewhere, and older vaults sent "Access denied" with no inner code.',
    variants: ["AccessDenied", "ForbiddenByPolicy", "ForbiddenByRbac", "none"],
    consequence:
      "Both probes pass secret-list-denied on any 403 Forbidden that is a permission refusal, whatever its inner code (or none), and show the code in the detail; " +
      "the twin answers each variant (policyDenialCode, RBAC) and the shared probe table runs every one.",
    sources: [
      {
        ref: "MicrosoftDocs/azure-docs#57072",
        date: "2020-06-15",
        quote:
          '{"error":{"code":"Forbidden","message":"The user, group or application \'appid=;oid=;iss=https://sts.windows.net/tenantid/\' does not have secrets set permission on key vault \'kv;location=uksouth\'. ...","innererror":{"code":"AccessDenied"}}}',
      },
      {
        ref: "turbot/steampipe-plugin-azure#127",
        date: "2021-05-12",
        quote:
          'keyvault.BaseClient#GetSecrets: ... Status=403 Code="Forbidden" Message="... does not have secrets list permission on key vault \'diskvault001;location=southindia\'. ..." InnerError={"code":"AccessDenied"}',
      },
      {
        ref: "SparebankenVest/azure-key-vault-to-kubernetes#126",
        date: "2020-09-25",
        quote:
          'Status=403 Code="Forbidden" Message="The policy requires the caller \'...\' to use on-behalf-of (OBO) flow. ..." InnerError={"code":"ForbiddenByPolicy"}',
      },
      {
        ref: RBAC_BODY,
        date: "2024-01-30",
        quote:
          'Message="Caller is not authorized to perform action on resource. ... DecisionReason: \'DeniedWithNoValidRBAC\' ..." InnerError={"code":"ForbiddenByRbac"}',
      },
      {
        ref: "hashicorp/terraform-provider-azurerm#1034",
        date: "2018-03-28",
        quote: 'keyvault.BaseClient#SetSecret: ... Status=403 Code="Forbidden" Message="Access denied" (no InnerError)',
      },
      {
        // The commit's date is not known here: the date is when it was read.
        ref: "Azure/azure-sdk-for-go:sdk/security/keyvault/TROUBLESHOOTING.md@260250c04e561142edd91c1bd899df709e77106a",
        date: CHECKED,
        quote: "The operation and inner `code` may vary, but the rest of the text will indicate which operation isn't permitted.",
      },
      {
        ref: COMMON_ERRORS,
        date: "2025-04-17",
        quote: "AccessDenied | You may be missing permissions in access policy to do that operation.",
      },
    ],
    coveredBy: ["tests/probe/table.test.ts", "tests/probe/powershell-mirror.test.ts"],
    checked: CHECKED,
  },
  {
    id: "kv-firewall-refusal",
    service: "keyvault",
    behaviour:
      'With networkAcls defaultAction Deny, a data-plane request from an address no rule allows gets 403 Forbidden, inner code ForbiddenByFirewall ("Client address is not authorized and caller is not a trusted service"); ' +
      "with publicNetworkAccess Disabled and no approved private link, inner code ForbiddenByConnection. The caller's permissions are never looked at.",
    variants: ["ForbiddenByFirewall", "ForbiddenByConnection"],
    consequence:
      "secret-list-denied fails on either, saying the network refused the list, which proves nothing about the permission; get/set say the network refused them. " +
      "The twin enforces the lab's rules: seats (lab subnet) in, the operator out unless operatorIpAllowed, everyone out when public access is disabled.",
    sources: [
      {
        ref: "hashicorp/terraform-provider-azurerm#20742",
        date: "2023-03",
        quote:
          'Status=403 Code="Forbidden" Message="Client address is not authorized and caller is not a trusted service.\\r\\nClient address: XXXX\\r\\nCaller: appid=XXX;oid=XXX;iss=https://sts.windows.net/XXX/\\r\\nVault: XXX-keyvault-prod;location=XXX" InnerError={"code":"ForbiddenByFirewall"}',
      },
      {
        ref: "microsoft/multimodal-ai#171",
        date: "2025-01-31",
        quote:
          'Status=403 Code="Forbidden" Message="Public network access is disabled and request is not from a trusted service nor via an approved private link.\\r\\nCaller: ...\\r\\nVault: kv-ac76373a;location=eastus2" InnerError={"code":"ForbiddenByConnection"}',
      },
      {
        ref: COMMON_ERRORS,
        date: "2025-04-17",
        quote: "ForbiddenByFirewall | Client address isn't authorized and caller isn't a trusted service.",
      },
      {
        ref: `${SECURITY_DOCS}/network-security.md@0074f08893b9a8cb5fe3c14a63c11b8d58573747`,
        date: "2026-05-19",
        quote:
          "After firewall rules are in effect, users can only perform Key Vault data plane operations when their requests originate from allowed virtual networks or IPv4 address ranges.",
      },
    ],
    coveredBy: [
      "tests/probe/table.test.ts",
      "tests/probe/powershell-mirror.test.ts",
      "tests/scripts/verify/verify.test.ts",
      "tests/twin.test.ts",
      "tests/examples/read-secret.test.ts",
    ],
    checked: CHECKED,
  },
  {
    id: "kv-control-plane-secret-put-outside-firewall",
    service: "keyvault",
    behaviour:
      "A PUT of Microsoft.KeyVault/vaults/secrets through ARM (Secrets_CreateOrUpdate) writes a new secret version whatever the vault's firewall says, authorized by the caller's ARM role " +
      "(Microsoft.KeyVault/vaults/secrets/write, which Contributor holds); its answer never carries the value.",
    consequence:
      "npm run verify seeds the canary through ARM and makes no data-plane call of its own (the VM reads its write back), so it works from a machine outside operatorIpRanges, such as a GitHub-hosted runner. " +
      "The twin answers the PUT (201 new, 200 existing; id, name, type, location, tags, properties without value) and refuses it without secrets/write. " +
      "Not sourced: which of 200 and 201 Azure picks (the spec allows both) and the text of a 400 for a bad name.",
    sources: [
      {
        ref: "MicrosoftDocs/azure-docs#68668",
        date: "2021-01-10",
        quote:
          'set "bypass" to "None" and default-Action to "Deny" BUT ARM can still access the data plane and modify my secrets: ""type": "Microsoft.KeyVault/vaults/secrets""; even the machine from where I started the command is outside the VNet.',
      },
      {
        ref: `${SECURITY_DOCS}/overview-vnet-service-endpoints.md@0074f08893b9a8cb5fe3c14a63c11b8d58573747`,
        date: "2026-05-19",
        quote:
          "Key Vault control plane operations (such as create, delete, and modify operations, setting access policies, setting firewalls, and virtual network rules and deployment of secrets or keys through ARM templates) are not affected by firewalls and virtual network rules.",
      },
      {
        ref: "Azure/azure-rest-api-specs:specification/keyvault/resource-manager/Microsoft.KeyVault/stable/2023-07-01/secrets.json@e86d0248ef1fd989c04747f59004c2ccbe191609",
        date: "2023-07-01",
        quote: "Secrets_CreateOrUpdate ... responses 200 and 201: Secret ... 'value' will never be returned from the service",
      },
      {
        ref: "MicrosoftDocs/azure-docs:articles/role-based-access-control/permissions/security.md@03adcc30b28ecad9f81aba5638a15fb1930f5ec0",
        date: "2024-03-01",
        quote: "Microsoft.KeyVault/vaults/secrets/write | Creates a new secret or updates the value of an existing secret.",
      },
    ],
    coveredBy: ["tests/scripts/verify/verify.test.ts", "tests/twin.test.ts"],
    checked: CHECKED,
  },
  {
    id: "kv-rbac-forbidden-body",
    service: "keyvault",
    behaviour:
      "Under RBAC, Key Vault's 403 message names the caller, the data action and the resource (lowercased), says no assignment was found (DecisionReason 'DeniedWithNoValidRBAC') and names the vault; inner code ForbiddenByRbac.",
    consequence:
      "The twin writes this body for every RBAC refusal, scoped to the vault or to the secret, so the probes' details and the table's regexps see what Azure sends.",
    sources: [
      {
        ref: RBAC_BODY,
        date: "2024-01-30",
        quote:
          'Message="Caller is not authorized to perform action on resource.\\r\\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\\r\\nCaller: appid=...;oid=...;iss=https://sts.windows.net/.../\\r\\n' +
          "Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\\r\\nResource: '/subscriptions/.../resourcegroups/.../providers/microsoft.keyvault/vaults/.../secrets/...'\\r\\nAssignment: (not found)\\r\\nDenyAssignmentId: null\\r\\nDecisionReason: 'DeniedWithNoValidRBAC' \\r\\nVault: ...;location=canadacentral\\r\\n\" InnerError={\"code\":\"ForbiddenByRbac\"}",
      },
    ],
    coveredBy: ["tests/probe/table.test.ts"],
    checked: CHECKED,
  },
  {
    id: "kv-challenge-auth-401",
    service: "keyvault",
    behaviour:
      'A request without an access token gets 401 with WWW-Authenticate: Bearer authorization="...", resource="..."; Key Vault SDK clients send their first request without a token to learn these.',
    consequence:
      "The twin challenges the same way, so the Key Vault SDK's real challenge flow runs in the tests (examples/read-secret.ts, the old-way seeding test).",
    sources: [
      {
        ref: `${SECURITY_DOCS}/authentication-requests-and-responses.md@22bef37d2aa1a321b4ca82cf9a984836681835f9`,
        date: "2025-04-16",
        quote:
          'When an access token is not supplied, or when the service does not accept a token, an HTTP 401 error is returned to the client and includes the WWW-Authenticate header, for example: ... WWW-Authenticate: Bearer authorization="…", resource="…"',
      },
    ],
    coveredBy: ["tests/twin.test.ts"],
    checked: CHECKED,
  },
  {
    id: "kv-audience-check",
    service: "keyvault",
    behaviour:
      'A token for another audience (ARM\'s, say) gets 401 Unauthorized "AKV10022: Invalid audience. Expected https://vault.azure.net, found: ...".',
    consequence:
      "The probes ask IMDS for a token per resource (vault, then ARM); the twin refuses a token of the wrong audience as Key Vault does.",
    sources: [
      {
        ref: "crossplane-contrib/provider-azure#346",
        date: "2022-08-17",
        quote:
          'Status=401 Code="Unauthorized" Message="AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://management.azure.com/.',
      },
    ],
    coveredBy: ["tests/twin.test.ts"],
    checked: CHECKED,
  },
  {
    id: "run-command-output-last-4096-bytes",
    service: "compute",
    behaviour: "Action run command keeps only the last 4,096 bytes of a script's output.",
    consequence:
      "The probes print one bounded JSON line (details cut at 300 characters) so the report survives; the twin keeps the last 4096 bytes of stdout and of stderr.",
    sources: [
      {
        ref: "MicrosoftDocs/azure-compute-docs:articles/virtual-machines/linux/run-command.md@1a043fb3a20b0f90dff80bad2dd8cbdff8984386",
        date: "2025-08-18",
        quote: "Output is limited to the last 4,096 bytes.",
      },
    ],
    coveredBy: ["tests/twin.test.ts"],
    checked: CHECKED,
  },
];
