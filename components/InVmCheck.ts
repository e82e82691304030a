import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import type { SeatOs } from "../lib/azure";
import { sha256Hex } from "../lib/fingerprint";
import { probeArgs, psParameterName } from "../probe/contract";
import { readProbe, readPsProbe } from "../probe/scripts";

export interface InVmCheckArgs {
  /** Resource group of the VM. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** Azure region (the run command's location is the VM's). */
  readonly location: string;
  /** The VM the probe runs on, as its own managed identity. */
  readonly vmName: pulumi.Input<string>;
  /** The lab vault's URI. */
  readonly vaultUri: pulumi.Input<string>;
  /** The canary secret that the probe reads; it writes `<secretName>-probe`. */
  readonly secretName: string;
  /** The lab storage account's resource id (listKeys). */
  readonly storageAccountId: pulumi.Input<string>;
  /** The account's blob endpoint (the shared-key data check). */
  readonly blobEndpoint: pulumi.Input<string>;
  /**
   * What must exist before the probe runs: this seat's access policy and role assignment, and the canary secret.
   * Never another seat's grants, so one slow seat does not hold the others back.
   */
  readonly waitFor: readonly pulumi.Resource[];
  /**
   * What identifies those grants: each role assignment's id, role and principal; for an access policy the vault id,
   * the principal and its permissions. Part of the run command's name, so a changed grant runs the check again.
   */
  readonly grantIdentity: readonly pulumi.Input<string>[];
  /**
   * The VM's Entra sign-in extension, when it has one. Azure runs one extension operation per VM at a time
   * (OperationPreempted / Conflict otherwise), so the run command starts after it.
   */
  readonly loginExtension?: pulumi.Resource;
  /** How long the probe retries while grants propagate. Default 600: Key Vault documents up to 10 minutes. */
  readonly deadlineSeconds?: number;
  /** The seat's OS: `ubuntu` (default) runs probe/vm-probe.py, `windows` runs probe/vm-probe.ps1 with PowerShell. */
  readonly os?: SeatOs;
}

// The run-command handler joins unnamed parameters into the command line without quoting
// (Azure/run-command-handler-linux, internal/exec/exec.go), so every argument must be one plain word.
const PLAIN_WORD = /^[A-Za-z0-9_.:/=+-]+$/;

// Read once, not once per seat: a large lab would hold a copy per seat (docs/benchmarks.md).
let probeScript: string | undefined;
let psProbeScript: string | undefined;
const scriptHashes = new Map<string, string>();

/**
 * The run command's name: `dsvm-lab-probe-` and 12 hex digits of a hash of everything the check depends on (the
 * probe script, its arguments, the grants' identity). Azure executes a managed run command when it is created, but
 * may not execute an identical request again (azure-sdk-for-net#47307; a Linux bug, MicrosoftDocs/azure-compute-docs
 * #178), and azure-native keeps a failed one in state. So a change makes a new name, hence a new run command that
 * runs, and an unchanged lab sends nothing.
 */
export function probeRunCommandName(parts: readonly string[]): string {
  return `dsvm-lab-probe-${sha256Hex(JSON.stringify(parts)).slice(0, 12)}`;
}

/**
 * The in-VM checks at deploy time: a managed run command that runs probe/vm-probe.py on one seat, with the seat's own
 * identity, once its grants exist. `treatFailureAsDeploymentFailure` makes `pulumi up` fail when the probe exits
 * non-zero, so a lab whose VMs cannot reach their secrets never deploys "green".
 */
export class InVmCheck extends pulumi.ComponentResource {
  /** The run command's resource id. */
  readonly runCommandId: pulumi.Output<string>;

  constructor(name: string, args: InVmCheckArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dsvm-identity-lab:lab:InVmCheck", name, {}, opts);
    const deadlineSeconds = args.deadlineSeconds ?? 600;

    const windows = args.os === "windows";
    // Linux: unnamed parameters become the script's arguments (named ones would become environment variables).
    // Windows: named parameters become the script's `-Name value` pairs, which vm-probe.ps1 reads like the flags.
    const parameters = pulumi
      .all([args.vaultUri, args.storageAccountId, args.blobEndpoint])
      .apply(([vaultUri, storageAccountId, blobEndpoint]) => {
        const words = probeArgs({ vaultUri, secretName: args.secretName, storageAccountId, blobEndpoint, deadlineSeconds });
        for (const value of words) {
          if (!PLAIN_WORD.test(value))
            throw new Error(
              `InVmCheck ${name}: probe argument ${JSON.stringify(value)} is not one plain word; the run command would split it`,
            );
        }
        return windows
          ? words.flatMap((w, i) => (i % 2 === 0 ? [{ name: psParameterName(w), value: words[i + 1] }] : []))
          : words.map((value) => ({ name: "", value }));
      });

    const script = windows ? (psProbeScript ??= readPsProbe()) : (probeScript ??= readProbe());
    let scriptHash = scriptHashes.get(script);
    if (scriptHash === undefined) scriptHashes.set(script, (scriptHash = sha256Hex(script)));
    // Grants in any order name the same check.
    const runCommandName = pulumi
      .all([parameters, pulumi.all([...args.grantIdentity])])
      .apply(([params, grants]) => probeRunCommandName([scriptHash!, JSON.stringify(params), ...[...grants].sort()]));

    const run = new compute.VirtualMachineRunCommandByVirtualMachine(
      `${name}-probe`,
      {
        resourceGroupName: args.resourceGroupName,
        vmName: args.vmName,
        location: args.location,
        runCommandName,
        // The probe itself, as the script. Linux: its shebang runs it with the image's python3. Windows: the agent runs
        // it with PowerShell (what the action API calls RunPowerShellScript).
        source: { script },
        parameters,
        asyncExecution: false,
        treatFailureAsDeploymentFailure: true,
        // The probe's own deadline plus room for the agent to start it and report back.
        timeoutInSeconds: deadlineSeconds + 300,
      },
      { parent: this, dependsOn: [...args.waitFor, ...(args.loginExtension ? [args.loginExtension] : [])] },
    );

    this.runCommandId = run.id;
    this.registerOutputs({ runCommandId: this.runCommandId });
  }
}
