// The lab CLI's Azure side: the vault purger (Azure Resource Manager through @azure/arm-keyvault, signed in by
// DefaultAzureCredential: in CI the OIDC login of azure/login, on a laptop `az login`), and Azure's clock.
import * as http from "http";
import * as https from "https";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { DefaultAzureCredential } from "@azure/identity";
import { PUBLIC_CLOUD } from "../../lib/azure";
import type { VaultPurger } from "./ops";

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
        // properties.vaultId: "The resource id of the original vault" (DeletedVaultProperties, Microsoft.KeyVault REST
        // spec and @azure/arm-keyvault 5.0.0): which resource group the vault came from decides whether it is a lab's.
        if (v.name && v.properties?.location)
          out.push({ name: v.name, location: v.properties.location, subscriptionId, vaultId: v.properties.vaultId });
      }
      return out;
    },
    async purge(vault) {
      const vaults = client(vault.subscriptionId).vaults;
      let record;
      try {
        record = await vaults.getDeleted(vault.name, vault.location);
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode === 404) return "absent";
        throw e;
      }
      // The name may have been deleted again since it was listed, by another vault of that name: purge only the one
      // whose original id was judged.
      if (!vault.vaultId || record.properties?.vaultId?.toLowerCase() !== vault.vaultId.toLowerCase()) {
        throw new Error(
          `the soft-deleted ${vault.name} now comes from ${record.properties?.vaultId ?? "an unknown vault"}, not ${vault.vaultId}: not purged`,
        );
      }
      // A long-running operation: the poller resolves when Azure reports the purge done.
      await vaults.purgeDeleted(vault.name, vault.location);
      return "purged";
    },
  };
}

/** The instant an HTTP `Date` header names (IMF-fixdate, RFC 9110 5.6.7); throws when there is none or it is garbled. */
export function dateHeaderTime(header: string | string[] | undefined): Date {
  const text = Array.isArray(header) ? header[0] : header;
  const at = text && /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text) ? new Date(text) : undefined;
  if (!at || Number.isNaN(at.getTime())) throw new Error(`no usable Date header (${JSON.stringify(text ?? null)})`);
  return at;
}

/**
 * Azure's clock: the Date header of an unauthenticated HEAD to the ARM endpoint. Any answer (ARM refuses it) carries
 * one: an origin server with a clock sends Date in every response (RFC 9110 6.6.1). No credential is sent.
 */
export function azureNow(endpoint: string = PUBLIC_CLOUD.arm, timeoutMs = 10_000): Promise<Date> {
  const get = endpoint.startsWith("http://") ? http.request : https.request;
  return new Promise((resolve, reject) => {
    const req = get(endpoint, { method: "HEAD", timeout: timeoutMs }, (res) => {
      res.resume();
      try {
        resolve(dateHeaderTime(res.headers.date));
      } catch (e) {
        reject(e);
      }
    });
    req.on("timeout", () => req.destroy(new Error(`${endpoint} did not answer within ${timeoutMs / 1000}s`)));
    req.on("error", reject);
    req.end();
  });
}
