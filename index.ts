// dsvm-identity-lab: the seed walk-through "Store access credentials securely on a Data Science VM", as one program.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import { DataScienceVm } from "./components/DataScienceVm";
import { InVmCheck } from "./components/InVmCheck";
import { LabNetwork } from "./components/LabNetwork";
import { numberedSeats } from "./components/seat";
import { SecretGetSetRole } from "./components/SecretGetSetRole";
import { SecretVault } from "./components/SecretVault";
import { StorageKeyAccess } from "./components/StorageKeyAccess";
import { ConfigError, LabConfig, PROJECT, stackSlug, validateConfig } from "./lib/config";
import { lifecycleOf } from "./lib/lifecycle";
import { LabOutputs } from "./lib/outputs";
import { seatVmName } from "./lib/naming";
import { effectiveSeatsPerVault, shardOfSeat, vaultShards } from "./lib/shards";
import { registerLabTags } from "./lib/tags";

/** T as the program exports it: any field, at any depth, may still be a Pulumi Input. */
type ProgramOutputs<T> = T extends readonly (infer E)[]
  ? readonly ProgramOutputs<E>[] | pulumi.Input<T>
  : T extends object
    ? { readonly [K in keyof T]: ProgramOutputs<T[K]> } | pulumi.Input<T>
    : pulumi.Input<T>;

// Step 0: read and validate every config key before any resource exists. A bad value stops here, with one message.
function readConfig(): LabConfig {
  const prefix = `${PROJECT}:`;
  const raw = Object.fromEntries(
    Object.entries(pulumi.runtime.allConfig())
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => [k.slice(prefix.length), v]),
  );
  try {
    return validateConfig(raw);
  } catch (e) {
    throw e instanceof ConfigError ? new pulumi.RunError(e.message) : e;
  }
}
/**
 * The program. Pulumi calls an exported function and takes what it returns as the stack's outputs (its Node.js
 * language host, sdk/nodejs/cmd/run/run.ts); as a function, each offline run builds the lab afresh in one process.
 */
function lab(): ProgramOutputs<LabOutputs> {
  const cfg = readConfig();
  const stack = pulumi.getStack();
  // Ephemeral or lasting: tags on every taggable resource (one transformation, before the first resource), vault
  // purge protection and `protect` on the vault and storage account.
  const lifecycle = lifecycleOf(cfg, stack);
  registerLabTags(lifecycle.tags);
  const client = authorization.getClientConfigOutput();
  const location = cfg.location;

  const group = new resources.ResourceGroup("lab", { resourceGroupName: `${cfg.namePrefix}-${stackSlug(stack)}-rg`, location });
  const network = new LabNetwork("network", {
    resourceGroupName: group.name,
    location,
    namePrefix: cfg.namePrefix,
    addressSpace: cfg.addressSpace,
    subnetPrefix: cfg.subnetPrefix,
    allowedSshCidrs: cfg.allowedSshCidrs,
    // The same CIDRs admit RDP instead of SSH when the seats run Windows.
    adminPort: cfg.os === "windows" ? 3389 : 22,
    bastion: cfg.bastion ? { subnetPrefix: cfg.bastionSubnetPrefix } : undefined,
  });

  // Step 1: each seat is a DSVM with a system-assigned managed identity. No password anyone knows: none on Ubuntu, a
  // generated one on Windows (Azure requires it) that is never shown; people sign in with SSH keys or Entra ID.
  const seats = Array.from({ length: cfg.seats }, (_, i) => {
    const seat = i + 1;
    return new DataScienceVm(`seat${seat}`, {
      resourceGroupName: group.name,
      location,
      vmName: seatVmName(cfg.namePrefix, seat),
      os: cfg.os,
      subnetId: network.subnetId,
      vmSize: cfg.vmSize,
      osDiskSizeGb: cfg.osDiskSizeGb,
      adminUsername: cfg.adminUsername,
      sshPublicKey: cfg.sshPublicKey,
      autoShutdown: { time: cfg.autoShutdownTime, timeZone: cfg.autoShutdownTimeZone },
      publicIp: cfg.allowedSshCidrs.length > 0,
      labUsers: cfg.labUsersGroupObjectId ? { groupObjectId: cfg.labUsersGroupObjectId, subscriptionId: client.subscriptionId } : undefined,
      // Windows seats: Entra ID is the only way in, so the deployer and each operator may sign in as administrator.
      adminLogin:
        cfg.os === "windows"
          ? {
              principalIds: [client.objectId, ...cfg.operatorObjectIds],
              principalType: cfg.operatorPrincipalType,
              subscriptionId: client.subscriptionId,
            }
          : undefined,
    });
  });
  const seatIdentities = numberedSeats(seats.map((s) => s.principalId));

  // Step 2: the vault, where each seat's identity may get and set secrets, and never list them. In the RBAC model that
  // is a custom role (bootstrap/'s, per subscription, or the lab's own: customRoleSource) assigned on each secret; in the
  // access-policy model, a vault-wide policy, inline on the vault (components/SecretVault.ts says why).
  const seatSecretRole =
    cfg.vaultAccessModel === "rbac"
      ? new SecretGetSetRole("secret-role", {
          resourceGroupId: group.id,
          subscriptionId: client.subscriptionId,
          customRoleSource: cfg.customRoleSource,
        })
      : undefined;
  // A vault holds at most 1024 access policies: past seatsPerVault seats the lab gets vault2, vault3, ... (lib/shards.ts).
  // Each seat's policy is in its own shard's vault; operators and the canary are in every vault. The first keeps the
  // logical name `vault`, so an existing stack keeps its vault.
  const seatsPerVault = effectiveSeatsPerVault(cfg.seats, cfg.seatsPerVault, cfg.vaultAccessModel === "rbac");
  const shards = vaultShards(cfg.seats, seatsPerVault);
  const labVaults = shards.map(
    (shard) =>
      new SecretVault(shard.logicalName, {
        resourceGroupName: group.name,
        location,
        tenantId: client.tenantId,
        namePrefix: cfg.namePrefix,
        subnetId: network.subnetId,
        operatorIpRanges: cfg.operatorIpRanges,
        seats: shard.seats.map((seat) => seatIdentities[seat - 1]),
        operatorObjectIds: [client.objectId, ...cfg.operatorObjectIds],
        purgeProtection: lifecycle.purgeProtection,
        softDeleteRetentionInDays: lifecycle.softDeleteRetentionInDays,
        protect: lifecycle.protect,
        canarySecretName: cfg.secretName,
        access: seatSecretRole
          ? {
              model: "rbac",
              subscriptionId: client.subscriptionId,
              seatRoleDefinitionId: seatSecretRole.roleDefinitionId,
              operatorPrincipalType: cfg.operatorPrincipalType,
            }
          : { model: "accessPolicy" },
      }),
  );
  const vault = labVaults[0];
  /** Seat i's (0-based) vault, and its grants there. */
  const seatVault = (i: number) => {
    const k = shardOfSeat(i + 1, seatsPerVault);
    return {
      vault: labVaults[k],
      grants: labVaults[k].seatGrants[i - k * seatsPerVault],
      grantIdentity: labVaults[k].seatGrantIdentity[i - k * seatsPerVault],
    };
  };

  // Step 4: the storage account, and each seat's right to call listKeys on it (and nothing more).
  const store = new StorageKeyAccess("storage", {
    resourceGroupName: group.name,
    resourceGroupId: group.id,
    subscriptionId: client.subscriptionId,
    location,
    namePrefix: cfg.namePrefix,
    subnetId: network.subnetId,
    operatorIpRanges: cfg.operatorIpRanges,
    seats: seatIdentities,
    listKeysRole: cfg.listKeysRole,
    customRoleSource: cfg.customRoleSource,
    protect: lifecycle.protect,
  });

  // Steps 3 and 5 happen inside the VMs. At deploy time (checkOnDeploy) each seat runs the probe once its own grants
  // exist; `npm run verify` proves them again at any time.
  if (cfg.checkOnDeploy) {
    seats.forEach(
      (s, i) =>
        new InVmCheck(`seat${i + 1}-check`, {
          resourceGroupName: group.name,
          location,
          vmName: s.vmName,
          vaultUri: seatVault(i).vault.vaultUri,
          secretName: cfg.secretName,
          os: cfg.os,
          storageAccountId: store.accountId,
          blobEndpoint: store.blobEndpoint,
          waitFor: [...seatVault(i).grants, store.seatAssignments[i], seatVault(i).vault.canarySecret!],
          grantIdentity: [
            ...seatVault(i).grantIdentity,
            store.seatAssignments[i].id,
            store.seatAssignments[i].roleDefinitionId,
            store.seatAssignments[i].principalId,
          ],
          loginExtension: s.loginExtension,
        }),
    );
  }

  // Outputs are what scripts need; nothing secret. Their names and types are lib/outputs.ts's LabOutputs: a renamed or
  // missing output fails tsc here, and in verify and the lab CLI, which read them.
  const outputs: ProgramOutputs<LabOutputs> = {
    resourceGroupName: group.name,
    // The first vault (the only one below seatsPerVault seats); `vaults` lists every vault and seatVms says which one each seat uses.
    vaultName: vault.vaultName,
    vaultUri: vault.vaultUri,
    vaults: labVaults.map((v, k) => ({
      vaultName: v.vaultName,
      vaultUri: v.vaultUri,
      firstSeat: shards[k].seats[0],
      lastSeat: shards[k].seats[shards[k].seats.length - 1],
    })),
    secretName: cfg.secretName,
    // verify runs vm-probe.ps1 through RunPowerShellScript on Windows seats, vm-probe through RunShellScript on Ubuntu.
    os: cfg.os,
    storageAccountName: store.accountName,
    storageAccountId: store.accountId,
    blobEndpoint: store.blobEndpoint,
    seatVms: seats.map((s, i) => ({
      seat: i + 1,
      vmName: s.vmName,
      vmId: s.vmId,
      principalId: s.principalId,
      privateIp: s.privateIp,
      vaultName: seatVault(i).vault.vaultName,
      vaultUri: seatVault(i).vault.vaultUri,
    })),
    // The lab CLI's list and reap read these (and policies can): whether the lab expires, when, and whose it is.
    ephemeral: lifecycle.ephemeral,
    expiresAt: lifecycle.expiresAt,
    createdAt: cfg.createdAt || undefined,
    owner: cfg.owner || undefined,
  };
  return outputs;
}
export = lab;
