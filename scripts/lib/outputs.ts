// A deployed lab's stack outputs, as `pulumi stack output --json` prints them: from a file (--outputs) or from the
// Pulumi CLI (--stack). Checked for the keys the operator scripts need, with messages that name what is wrong.
import { execFile } from "child_process";
import * as fs from "fs";
import { printable } from "../../lib/printable";
import { UsageError } from "./cli";
import { MAX_SEATS, SHAPES, shown } from "./output-shapes";

export interface SeatOutput {
  readonly seat: number;
  readonly vmName: string;
  readonly vmId: string;
  /** The vault holding this seat's grants (large labs shard seats over vaults); absent in stacks from before sharding. */
  readonly vaultUri?: string;
  /** That vault's name (verify seeds the canary through ARM, which names the vault). */
  readonly vaultName?: string;
}

/** The outputs index.ts exports that operator scripts use. Nothing in them is secret. */
export interface LabOutputs {
  readonly resourceGroupName: string;
  readonly vaultUri: string;
  /** The first vault's name. */
  readonly vaultName?: string;
  readonly secretName: string;
  readonly storageAccountId: string;
  readonly blobEndpoint: string;
  readonly seatVms: readonly SeatOutput[];
  /** The seats' OS; absent in stacks from before Windows seats, which are all ubuntu. */
  readonly os?: "ubuntu" | "windows";
}

const STRING_KEYS = ["resourceGroupName", "vaultUri", "secretName", "storageAccountId", "blobEndpoint"] as const;
/** At most this many problems are listed: a file with 4000 bad seats gets a readable message. */
const MAX_PROBLEMS = 20;

/**
 * Validates parsed outputs: every name and id in the shape this program creates, at most MAX_SEATS seats, each seat
 * once. `source` names where they came from, for the message.
 */
export function parseOutputs(value: unknown, source: string): LabOutputs {
  const problems: string[] = [];
  const o = (value && typeof value === "object" && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  if (o !== value) problems.push("expected a JSON object of stack outputs");
  const check = (key: string, v: unknown, shape: { re: RegExp; form: string }) => {
    if (!shape.re.test(v as string)) problems.push(`${key}: expected ${shape.form}, got ${shown(v)}`);
  };
  for (const key of STRING_KEYS) {
    if (typeof o[key] !== "string" || !o[key]) problems.push(`${key}: expected a non-empty string, got ${shown(o[key])}`);
    else check(key, o[key], SHAPES[key]);
  }
  if (o.vaultName !== undefined) check("vaultName", o.vaultName, SHAPES.vaultName);
  const account = SHAPES.storageAccountId.re.exec(String(o.storageAccountId))?.[1];
  const blobAccount = SHAPES.blobEndpoint.re.exec(String(o.blobEndpoint))?.[1];
  if (account && blobAccount && account.toLowerCase() !== blobAccount.toLowerCase()) {
    problems.push(`blobEndpoint: expected the blob endpoint of the account ${account} in storageAccountId, got ${shown(o.blobEndpoint)}`);
  }
  const seats = o.seatVms;
  if (!Array.isArray(seats) || seats.length === 0) {
    problems.push(`seatVms: expected a non-empty list of {seat, vmName, vmId}, got ${shown(seats)}`);
  } else if (seats.length > MAX_SEATS) {
    problems.push(`seatVms: expected at most ${MAX_SEATS} seats (a lab's limit), got ${seats.length}`);
  } else {
    const seen = new Set<number>();
    seats.forEach((s: any, i) => {
      if (!Number.isInteger(s?.seat) || typeof s?.vmName !== "string" || typeof s?.vmId !== "string") {
        problems.push(`seatVms[${i}]: expected {seat: number, vmName: string, vmId: "/subscriptions/.../virtualMachines/NAME"}, got ${shown(s)}`);
        return;
      }
      if (s.seat < 1 || s.seat > MAX_SEATS || seen.has(s.seat)) problems.push(`seatVms[${i}].seat: expected a seat number from 1 to ${MAX_SEATS}, each once, got ${shown(s.seat)}`);
      seen.add(s.seat);
      const vmSeat = SHAPES.vmName.re.exec(s.vmName)?.[1];
      if (vmSeat === undefined) problems.push(`seatVms[${i}].vmName: expected ${SHAPES.vmName.form}, got ${shown(s.vmName)}`);
      else if (Number(vmSeat) !== s.seat) problems.push(`seatVms[${i}].vmName: expected the VM of seat ${s.seat} (PREFIX-vm${s.seat}), got ${shown(s.vmName)}`);
      const vmIdName = SHAPES.vmId.re.exec(s.vmId)?.[1];
      if (vmIdName === undefined || vmIdName.toLowerCase() !== s.vmName.toLowerCase()) problems.push(`seatVms[${i}].vmId: expected ${SHAPES.vmId.form.replace("VMNAME", shown(s.vmName))}, got ${shown(s.vmId)}`);
      if (s.vaultUri !== undefined && !(typeof s.vaultUri === "string" && SHAPES.vaultUri.re.test(s.vaultUri))) {
        problems.push(`seatVms[${i}].vaultUri: expected the seat's vault URI, https://NAME.vault.azure.net/, got ${shown(s.vaultUri)}`);
      }
      if (s.vaultName !== undefined) check(`seatVms[${i}].vaultName`, s.vaultName, SHAPES.vaultName);
    });
  }
  if (o.os !== undefined && o.os !== "ubuntu" && o.os !== "windows") problems.push(`os: expected ubuntu or windows, got ${shown(o.os)}`);
  if (problems.length) {
    const listed = problems.slice(0, MAX_PROBLEMS).map((p) => `  - ${p}`);
    if (problems.length > MAX_PROBLEMS) listed.push(`  - and ${problems.length - MAX_PROBLEMS} more`);
    throw new UsageError(`${source}: not the outputs of this project's stack:\n${listed.join("\n")}`);
  }
  return o as unknown as LabOutputs;
}

/** The most an outputs file may hold. The largest lab's (MAX_SEATS seats, pretty-printed) is about half of it. */
export const MAX_OUTPUTS_BYTES = 4 * 1024 * 1024;
const FILE_FORM = "expected the file that `pulumi stack output --json > FILE` writes";

/**
 * Reads and validates an outputs file. Only a regular file of at most MAX_OUTPUTS_BYTES: a device (/dev/zero), a pipe
 * or a directory is refused without reading from it (opened non-blocking, so not even a FIFO can hold it up).
 */
export function readOutputsFile(file: string): LabOutputs {
  const name = `--outputs ${printable(file)}`;
  let text: string;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0));
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`${name}: not a regular file (a device, pipe or directory); ${FILE_FORM}`);
    if (st.size > MAX_OUTPUTS_BYTES) throw new UsageError(`${name}: ${st.size} bytes, more than the ${MAX_OUTPUTS_BYTES / 1024 / 1024} MiB an outputs file may hold; ${FILE_FORM}`);
    const buf = Buffer.alloc(MAX_OUTPUTS_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buf.length; length += n) n = fs.readSync(fd, buf, length, buf.length - length, null);
    if (length > MAX_OUTPUTS_BYTES) throw new UsageError(`${name}: more than the ${MAX_OUTPUTS_BYTES / 1024 / 1024} MiB an outputs file may hold; ${FILE_FORM}`);
    text = buf.subarray(0, length).toString("utf8");
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${name}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ${FILE_FORM}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${name}: not JSON; ${FILE_FORM}`);
  }
  return parseOutputs(parsed, name);
}

/** Runs `pulumi stack output --json --stack NAME` (never --show-secrets: the scripts need nothing secret). */
export async function readStackOutputs(stack: string): Promise<LabOutputs> {
  if (!/^[A-Za-z0-9_./-]+$/.test(stack)) throw new UsageError(`--stack ${JSON.stringify(stack)}: expected a stack name such as dev or org/project/dev`);
  const text = await new Promise<string>((resolve, reject) =>
    execFile("pulumi", ["stack", "output", "--json", "--stack", stack], { maxBuffer: MAX_OUTPUTS_BYTES, env: process.env }, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === "ENOENT") {
        reject(new Error("the pulumi CLI is not on PATH: install it, or pass --outputs FILE (written by `pulumi stack output --json > FILE`)"));
      } else if (err) {
        reject(new Error(`pulumi stack output --stack ${stack} failed: ${printable(stderr.trim() || err.message, true)}`));
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
