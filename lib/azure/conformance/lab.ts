// What the lab CLI (scripts/lab/index.ts) relies on beyond the teardown entries: Azure's clock, read from ARM.
import type { ConformanceEntry } from "./types";

export const LAB_CONFORMANCE: readonly ConformanceEntry[] = [
  {
    id: "arm-date-header",
    service: "arm",
    behaviour:
      "Answers from the ARM endpoint (management.azure.com) carry an HTTP Date header in IMF-fixdate form, to the second, in GMT: Azure's clock. HTTP requires it of every origin server with a clock, error answers (4xx) included, so an unauthenticated HEAD, which ARM refuses, still tells the time.",
    consequence:
      "The lab CLI sets createdAt (create, --extend) and judges expiry (reap) by that Date, read with a credential-free HEAD; create and --extend refuse when this machine's clock is more than 5 minutes off it, and all three refuse when it cannot be read or parsed. A local server stands in for ARM in tests. A public thread quoting ARM's Date on an unauthenticated (401/400) answer was not found: that part rests on the HTTP rule.",
    sources: [
      {
        ref: "hashicorp/terraform-provider-azurerm#20867",
        date: "2023-03-19",
        quote:
          "AzureRM Response for https://management.azure.com/subscriptions/... HTTP/2.0 200 OK ... Date: Sun, 19 Mar 2023 08:54:56 GMT",
      },
      {
        ref: "https://www.rfc-editor.org/rfc/rfc2616#section-14.18",
        date: "1999-06",
        quote:
          "Origin servers MUST include a Date header field in all responses, except in these cases: ... 100 (Continue) or 101 ... a server error ... does not have a clock",
      },
      { ref: "https://www.rfc-editor.org/rfc/rfc9110#section-6.6.1", date: "2022-06" },
    ],
    coveredBy: ["tests/scripts/lab/azure.test.ts", "tests/scripts/lab/lab.test.ts"],
    checked: "2026-11-23",
  },
  {
    id: "kv-deleted-vault-original-id",
    service: "keyvault",
    behaviour:
      "Listing or getting a soft-deleted vault (Vaults_ListDeleted / Vaults_GetDeleted) answers DeletedVaultProperties, whose read-only vaultId is the resource id of the original vault (its subscription, resource group and name), with its location and tags.",
    consequence:
      "The lab CLI purges a soft-deleted vault only when that vaultId lies in the stack's own resource group, taken from the stack's state, and the state recorded the vault's name; never from outputs or tags alone.",
    sources: [
      {
        ref: "@azure/arm-keyvault 5.0.0 dist/browser/models/models.d.ts (DeletedVaultProperties, generated from the Microsoft.KeyVault REST spec)",
        date: "2026",
        quote: "/** The resource id of the original vault. */ readonly vaultId?: string;",
      },
    ],
    coveredBy: ["tests/scripts/lab/destroy.test.ts"],
    checked: "2026-11-23",
  },
];
