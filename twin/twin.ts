// The local Azure twin that tests (and `npm run bench`) run the probe and `verify` against: IMDS (imds.ts, HTTP, one
// endpoint per VM, as each VM has its own 169.254.169.254), Key Vault (keyvault.ts, HTTPS, challenge auth, audience
// check, firewall.ts, access policies or RBAC), ARM (arm.ts, HTTPS: listKeys, the control-plane secret PUT, the vault
// and VM GETs; run-command.ts executes the posted script locally against the twin) and Azurite as the blob data plane.
// This file composes them and owns the lifecycle. Answers follow Azure's (status codes, headers, error bodies);
// tests/twin.test.ts validates them against the specs. Faults (faults.ts) are injected per test. Everything binds
// 127.0.0.1 and lives in a temp dir that stop() removes.
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { ARM_TYPE, resourceId } from "../lib/azure";
import { Arm, ArmMeta, ArmVault } from "./arm";
import type { PolicyDenialCode } from "./azure-errors";
import { Azurite, claimAzurite, StorageAccount } from "./azurite";
import { makeCerts, TwinCerts } from "./certs";
import { listen, port, RecordedRequest, serve } from "./context";
import { Fault, FaultBook, FaultResponse } from "./faults";
import type { VaultNetwork } from "./firewall";
import { Identity, imds } from "./imds";
import { AccessModel, KeyVault, KvRefusal, SecretPermission } from "./keyvault";
import { RunCommand } from "./run-command";

export type { PolicyDenialCode } from "./azure-errors";
export type { VaultNetwork } from "./firewall";
export type { RecordedRequest } from "./context";
export { FAULTS } from "./faults";
export type { Fault, FaultResponse, Op, Service } from "./faults";
export { ARM_AUDIENCE, VAULT_AUDIENCE } from "./imds";
export type { Identity } from "./imds";
export { KV_ACTION, KV_REFUSALS } from "./keyvault";
export type { AccessModel, KvRefusal, RoleGrant, SecretPermission } from "./keyvault";
export { LIST_KEYS_ACTION, SECRETS_WRITE_ACTION } from "./arm";
export { RUN_COMMAND_OUTPUT_LIMIT } from "./run-command";

export class AzureTwin {
  readonly tenantId = "00000000-0000-0000-0000-0000000000a1";
  readonly subscriptionId = "00000000-0000-0000-0000-000000000501";
  readonly resourceGroup = "dsvmlab-test-rg";
  readonly location = "westeurope";
  /** Every request the twin answered, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Ordered events that tests assert on without timing: run command start and end per VM. */
  readonly events: string[] = [];
  /** listKeys answers Azurite's key ("right") or a valid-looking key that Azurite refuses ("wrong"). */
  keyMode: "right" | "wrong" = "right";
  /** The stack the lab's resources are tagged with (lib/lifecycle.ts: tag `lab` on every taggable resource). */
  labStack = "test";
  /** Per resource (lowercased vault or VM name): what its ARM GET shows instead of the lab's, for ownership tests. */
  readonly armMeta = new Map<string, ArmMeta>();

  private readonly identities = new Map<string, Identity>();
  private readonly imdsServers: http.Server[] = [];
  /** Other twins' vaults this twin's ARM knows, by vault name (one subscription, several vaults). */
  private readonly linkedVaults = new Map<string, AzureTwin>();
  /** Twins whose VMs sit in this vault's lab subnet too (see linkVault). */
  private readonly labTwins = new Set<AzureTwin>([this]);
  private readonly faults = new FaultBook();
  private readonly keyVault: KeyVault;
  private readonly runCommand: RunCommand;
  private readonly arm: Arm;

  private constructor(
    readonly vaultName: string,
    readonly dir: string,
    readonly certs: TwinCerts,
    private readonly vaultServer: https.Server,
    private readonly armServer: https.Server,
    private readonly azurite: Azurite,
  ) {
    const vms = () => [...this.identities.values()];
    this.keyVault = new KeyVault(this, this.faults, (oid) => [...this.labTwins].some((t) => t.identities.get(oid)?.vmName !== undefined));
    this.runCommand = new RunCommand(this, this.faults, vms);
    this.arm = new Arm(this, this.faults, this.runCommand, (name) => this.armVault(name), vms);
  }

  static async start(options: { vaultName?: string } = {}): Promise<AzureTwin> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsvm-twin-"));
    let certs: TwinCerts;
    let azurite: Azurite;
    try {
      certs = makeCerts(dir);
      fs.mkdirSync(path.join(dir, "azurite"));
      azurite = await claimAzurite(path.join(dir, "azurite"));
    } catch (e) {
      // Nothing of a half-started twin stays behind: the temp dir holds a private key.
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    const tls = { key: certs.key, cert: certs.cert };
    // Nobody knows the ports before start() returns, so no request comes before `twin` is set.
    const vault = https.createServer(tls, (req, res) => serve("vault", req, res, twin.requests, (ctx) => twin.keyVault.handle(ctx)));
    const arm = https.createServer(tls, (req, res) => serve("arm", req, res, twin.requests, (ctx) => twin.arm.handle(ctx)));
    await Promise.all([listen(vault), listen(arm)]);
    const twin = new AzureTwin(options.vaultName ?? "dsvmlab-kv-twin01", dir, certs, vault, arm, azurite);
    return twin;
  }

  /** https://127.0.0.1:PORT/ : the vault URI, as Azure gives it (with a trailing slash). */
  get vaultUrl(): string {
    return `https://127.0.0.1:${port(this.vaultServer)}/`;
  }
  /** https://127.0.0.1:PORT : what PROBE_ARM_URL points at. */
  get armUrl(): string {
    return `https://127.0.0.1:${port(this.armServer)}`;
  }
  /** http://127.0.0.1:PORT/ACCOUNT/ : Azurite's blob endpoint for this twin's own account (twin/azurite.ts). */
  get blobEndpoint(): string {
    return this.azurite.blobEndpoint;
  }
  /** The lab's storage account: this twin's own account in Azurite, which no other twin uses. */
  get storageAccount(): StorageAccount {
    return this.azurite.account;
  }
  get storageAccountId(): string {
    return resourceId(this.subscriptionId, this.resourceGroup, ARM_TYPE.storage, this.azurite.account.name);
  }
  /** The vault's resource id: the vault scope of role assignments. */
  get vaultId(): string {
    return resourceId(this.subscriptionId, this.resourceGroup, ARM_TYPE.vault, this.vaultName);
  }
  /** The lab subnet, which the vault's virtualNetworkRules allow. */
  get labSubnetId(): string {
    return resourceId(this.subscriptionId, this.resourceGroup, ARM_TYPE.subnet, "lab-vnet", "lab");
  }
  /** How the vault authorizes: access policies are ignored under RBAC, and role assignments under access policies. */
  get accessModel(): AccessModel {
    return this.keyVault.accessModel;
  }
  set accessModel(model: AccessModel) {
    this.keyVault.accessModel = model;
  }
  /** The inner code of an access-policy refusal: each one Azure is known to send. */
  get policyDenialCode(): PolicyDenialCode {
    return this.keyVault.policyDenialCode;
  }
  set policyDenialCode(code: PolicyDenialCode) {
    this.keyVault.policyDenialCode = code;
  }
  /** The vault's network rules; by default the lab's, with the operator outside them. */
  get vaultNetwork(): VaultNetwork {
    return this.keyVault.network;
  }
  set vaultNetwork(network: VaultNetwork) {
    this.keyVault.network = network;
  }
  /** The tags the program puts on every taggable resource of a lasting lab. */
  labTags(): Record<string, string> {
    return { lab: this.labStack, ephemeral: "false" };
  }
  /** One secret's scope for role assignments. */
  secretScope(name: string): string {
    return `${this.vaultId}/secrets/${name}`;
  }
  vmId(vmName: string): string {
    return resourceId(this.subscriptionId, this.resourceGroup, ARM_TYPE.vm, vmName);
  }

  /** A new identity with its own IMDS endpoint; with `vmName`, run command on that VM runs as it. */
  async addIdentity(name: string, vmName?: string): Promise<Identity> {
    const server = http.createServer((req, res) =>
      serve("imds", req, res, this.requests, (ctx) => imds(ctx, identity, this.tenantId, this.faults)),
    );
    await listen(server);
    this.imdsServers.push(server);
    const identity: Identity = { name, principalId: randomUUID(), imdsUrl: `http://127.0.0.1:${port(server)}`, vmName };
    this.identities.set(identity.principalId, identity);
    return identity;
  }

  /** The access policy of a principal: exactly these secret permissions (replaces any earlier policy). */
  setPolicy(principalId: string, permissions: readonly SecretPermission[]): void {
    this.keyVault.setPolicy(principalId, permissions);
  }
  /** A role assignment whose role has these data actions ('*' wildcards as Azure writes them), at `scope` (default: the vault). */
  assignRole(principalId: string, dataActions: readonly string[], scope: string = this.vaultId): void {
    this.keyVault.assignRole(principalId, dataActions, scope);
  }
  /** A role assignment on the storage account that allows listKeys. */
  grantListKeys(principalId: string): void {
    this.arm.listKeysGrants.add(principalId);
  }
  /** A role that allows run command on the lab's VMs (the operator's Contributor). */
  grantRunCommand(principalId: string): void {
    this.runCommand.operators.add(principalId);
  }
  /** An ARM role with Microsoft.KeyVault/vaults/secrets/write on the vault (Contributor has it). */
  grantSecretsWrite(principalId: string): void {
    this.arm.secretWriters.add(principalId);
  }
  /** Makes `other`'s vault another vault of this lab: this twin's ARM writes into it, and its firewall lets this twin's VMs in. */
  linkVault(other: AzureTwin): void {
    this.linkedVaults.set(other.vaultName.toLowerCase(), other);
    other.labTwins.add(this);
  }

  seedSecret(name: string, value: string): void {
    this.keyVault.storeSecret(name, value);
  }
  /** Every version of a secret, oldest first: what tests read to see what the probe wrote. */
  secretVersions(name: string): readonly { version: string; value: string }[] {
    return this.keyVault.versions(name).map(({ version, value }) => ({ version, value }));
  }

  /** Key Vault's 403 to `principalId` in each form Azure sends (for a fault on one operation, such as list). */
  refusal(kind: KvRefusal, principalId: string, permission: "get" | "set" | "list" = "list"): FaultResponse {
    return this.keyVault.refusal(kind, principalId, permission);
  }

  fault(f: Fault): void {
    this.faults.add(f);
  }

  /** Forgets policies, grants, secrets, faults and logs (identities and servers stay). */
  reset(): void {
    this.keyVault.reset();
    this.arm.reset();
    this.runCommand.operators.clear();
    this.faults.clear();
    this.requests.length = 0;
    this.events.length = 0;
    this.keyMode = "right";
    this.labStack = "test";
    this.armMeta.clear();
  }

  /** What the probe needs to talk to the twin instead of Azure, as `identity`. */
  probeEnv(identity: Identity): Record<string, string> {
    return { PROBE_IMDS_URL: identity.imdsUrl, PROBE_ARM_URL: this.armUrl, PROBE_CA_FILE: this.certs.caFile };
  }

  async stop(): Promise<void> {
    this.runCommand.stop();
    const servers = [this.vaultServer, this.armServer, ...this.imdsServers];
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    );
    await this.azurite.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** This twin's vault or a linked one, as ARM sees it. */
  private armVault(name: string): ArmVault | undefined {
    const t = name.toLowerCase() === this.vaultName.toLowerCase() ? this : this.linkedVaults.get(name.toLowerCase());
    return t && { vaultName: t.vaultName, vaultId: t.vaultId, vaultUrl: t.vaultUrl, armMeta: t.armMeta, keyVault: t.keyVault };
  }
}
