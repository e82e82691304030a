// A deployed lab's stack outputs, as `pulumi stack output --json` prints them: from a file (--outputs) or from the
// Pulumi CLI (--stack). Checked for the keys the operator scripts need, with messages that name what is wrong.
import { execFile } from "child_process";
import * as fs from "fs";
import { UsageError } from "./cli";

export interface SeatOutput {
  readonly seat: number;
  readonly vmName: string;
  readonly vmId: string;
  /** The vault holding this seat's grants (large labs shard seats over vaults); absent in stacks from before sharding. */
  readonly vaultUri?: string;
}

/** The outputs index.ts exports that operator scripts use. Nothing in them is secret. */
export interface LabOutputs {
  readonly resourceGroupName: string;
  readonly vaultUri: string;
  readonly secretName: string;
  readonly storageAccountId: string;
  readonly blobEndpoint: string;
  readonly seatVms: readonly SeatOutput[];
  /** The seats' OS; absent in stacks from before Windows seats, which are all ubuntu. */
  readonly os?: "ubuntu" | "windows";
}

const STRING_KEYS = ["resourceGroupName", "vaultUri", "secretName", "storageAccountId", "blobEndpoint"] as const;

/** Validates parsed outputs; `source` names where they came from, for the message. */
export function parseOutputs(value: unknown, source: string): LabOutputs {
  const problems: string[] = [];
  const o = (value && typeof value === "object" && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  if (o !== value) problems.push("expected a JSON object of stack outputs");
  for (const key of STRING_KEYS) {
    if (typeof o[key] !== "string" || !o[key]) problems.push(`${key}: expected a non-empty string, got ${JSON.stringify(o[key]) ?? "nothing"}`);
  }
  const seats = o.seatVms;
  if (!Array.isArray(seats) || seats.length === 0) {
    problems.push(`seatVms: expected a non-empty list of {seat, vmName, vmId}, got ${JSON.stringify(seats) ?? "nothing"}`);
  } else {
    seats.forEach((s: any, i) => {
      if (!Number.isInteger(s?.seat) || typeof s?.vmName !== "string" || typeof s?.vmId !== "string" || !/\/virtualMachines\//i.test(s.vmId)) {
        problems.push(`seatVms[${i}]: expected {seat: number, vmName: string, vmId: "/subscriptions/.../virtualMachines/NAME"}`);
      } else if (s.vaultUri !== undefined && !(typeof s.vaultUri === "string" && /^https:\/\/\S+$/.test(s.vaultUri))) {
        problems.push(`seatVms[${i}].vaultUri: expected the seat's vault URI, https://NAME.vault.azure.net/, got ${JSON.stringify(s.vaultUri)}`);
      }
    });
  }
  if (o.os !== undefined && o.os !== "ubuntu" && o.os !== "windows") problems.push(`os: expected ubuntu or windows, got ${JSON.stringify(o.os)}`);
  if (problems.length) throw new UsageError(`${source}: not the outputs of this project's stack:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return o as unknown as LabOutputs;
}

export function readOutputsFile(file: string): LabOutputs {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`--outputs ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); expected the file that \`pulumi stack output --json > FILE\` writes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`--outputs ${file}: not JSON; expected the file that \`pulumi stack output --json > FILE\` writes`);
  }
  return parseOutputs(parsed, `--outputs ${file}`);
}

/** Runs `pulumi stack output --json --stack NAME` (never --show-secrets: the scripts need nothing secret). */
export async function readStackOutputs(stack: string): Promise<LabOutputs> {
  if (!/^[A-Za-z0-9_./-]+$/.test(stack)) throw new UsageError(`--stack ${JSON.stringify(stack)}: expected a stack name such as dev or org/project/dev`);
  const text = await new Promise<string>((resolve, reject) =>
    execFile("pulumi", ["stack", "output", "--json", "--stack", stack], { maxBuffer: 16 * 1024 * 1024, env: process.env }, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === "ENOENT") {
        reject(new Error("the pulumi CLI is not on PATH: install it, or pass --outputs FILE (written by `pulumi stack output --json > FILE`)"));
      } else if (err) {
        reject(new Error(`pulumi stack output --stack ${stack} failed: ${stderr.trim() || err.message}`));
      } else resolve(stdout);
    }),
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`pulumi stack output --json --stack ${stack} printed something that is not JSON`);
  }
  return parseOutputs(parsed, `stack ${stack}`);
}

/** Subscription and resource group of a resource id. */
export function parseResourceId(id: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/.+\/([^/]+)$/i.exec(id);
  if (!m) throw new UsageError(`${JSON.stringify(id)}: expected an Azure resource id /subscriptions/ID/resourceGroups/RG/providers/...`);
  return { subscriptionId: m[1], resourceGroup: m[2], name: m[3] };
}
