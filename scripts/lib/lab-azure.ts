// The real vault purger: Azure Resource Manager through @azure/arm-keyvault, signed in by DefaultAzureCredential
// (in CI, the OIDC login of azure/login; on a laptop, `az login`).
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { DefaultAzureCredential } from "@azure/identity";
import type { VaultPurger } from "./lab-ops";

export function azureVaultPurger(): VaultPurger {
  const credential = new DefaultAzureCredential();
  const clients = new Map<string, KeyVaultManagementClient>();
  const client = (subscriptionId: string) => {
    if (!clients.has(subscriptionId)) clients.set(subscriptionId, new KeyVaultManagementClient(credential, subscriptionId));
    return clients.get(subscriptionId)!;
  };
  return {
    async listDeleted(subscriptionId) {
      const out = [];
      for await (const v of client(subscriptionId).vaults.listDeleted()) {
        if (v.name && v.properties?.location) out.push({ name: v.name, location: v.properties.location, subscriptionId, tags: v.properties.tags ?? {} });
      }
      return out;
    },
    async purge(vault) {
      const vaults = client(vault.subscriptionId).vaults;
      try {
        await vaults.getDeleted(vault.name, vault.location);
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode === 404) return "absent";
        throw e;
      }
      // A long-running operation: the poller resolves when Azure reports the purge done.
      await vaults.purgeDeleted(vault.name, vault.location);
      return "purged";
    },
  };
}
