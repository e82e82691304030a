// Action run command (RunShellScript): ARM accepts the script with 202 and an async operation, the twin runs it
// locally with bash as the VM's identity (the probe then talks to the twin), and the operation reports its output as
// Azure does: succeeded whatever the exit code, the last 4096 bytes of stdout and stderr.
import { ChildProcess, spawn } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ARM_TYPE, resourceGroupId, subscriptionScope } from "../lib/azure";
import { ARM } from "./azure-errors";
import { answerFault, Ctx } from "./context";
import type { FaultBook } from "./faults";
import type { Identity } from "./imds";
import { pathWithPython } from "./python";

const RUN_COMMAND_ACTION = `${ARM_TYPE.vm}/runCommand/action`;
/** Azure keeps the last 4096 bytes of a run command's stdout and of its stderr. */
export const RUN_COMMAND_OUTPUT_LIMIT = 4096;

interface Operation {
  done: boolean;
  result?: unknown;
  readonly started: string;
  ended?: string;
}

/** What run command knows of the twin it belongs to. */
export interface RunCommandSite {
  /** The twin's temp dir: scripts are written there, then removed. */
  readonly dir: string;
  readonly armUrl: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  /** Ordered events tests assert on: run command start and end per VM. */
  readonly events: string[];
  vmId(vmName: string): string;
  /** The environment that points the probe at the twin, as `identity`. */
  probeEnv(identity: Identity): Record<string, string>;
}

export class RunCommand {
  /** Who may run commands on the lab's VMs (the operator's Contributor). */
  readonly operators = new Set<string>();
  private readonly operations = new Map<string, Operation>();
  private readonly children = new Set<ChildProcess>();

  /** `vms`: the identities that belong to a VM; run command on that VM runs as its identity. */
  constructor(
    private readonly site: RunCommandSite,
    private readonly faults: FaultBook,
    private readonly vms: () => Iterable<Identity>,
  ) {}

  /** POST .../virtualMachines/{vmName}/runCommand from an authenticated `oid`. */
  post(ctx: Ctx, oid: string, vmName: string): void {
    if (answerFault(ctx, this.faults, "runCommand")) return;
    const { site } = this;
    if (!this.operators.has(oid)) return ctx.reply(403, ARM.authorizationFailed(oid, RUN_COMMAND_ACTION, site.vmId(vmName)));
    const sub = subscriptionScope(site.subscriptionId);
    const rg = resourceGroupId(site.subscriptionId, site.resourceGroup).toLowerCase();
    const vm = [...this.vms()].find((i) => i.vmName === vmName);
    if (!vm || !ctx.url.pathname.toLowerCase().startsWith(rg)) return ctx.reply(404, ARM.notFound(`${ARM_TYPE.vm}/${vmName}`));
    let input: any;
    try {
      input = JSON.parse(ctx.body.toString("utf8"));
    } catch {
      return ctx.reply(400, {
        error: { code: "InvalidRequestContent", message: "The request content was invalid and could not be deserialized." },
      });
    }
    if (input?.commandId !== "RunShellScript" || !Array.isArray(input.script)) {
      return ctx.reply(400, {
        error: {
          code: "InvalidParameter",
          message: "commandId must be RunShellScript and script a list of lines (Linux VM).",
          target: "commandId",
        },
      });
    }
    const id = randomUUID();
    this.operations.set(id, { done: false, started: new Date().toISOString() });
    this.execute(id, vm, input.script, input.parameters ?? []);
    const ops = `${site.armUrl}${sub}/providers/Microsoft.Compute/locations/${site.location}/operations/${id}`;
    // run-command-action-async-poll: Compute sends a Retry-After whose value no source gives; 1 s is the twin's own.
    return ctx.reply(202, undefined, {
      "Azure-AsyncOperation": `${ops}?p=${id}&api-version=2024-11-01`,
      Location: `${ops}?p=${id}&monitor=true&api-version=2024-11-01`,
      "Retry-After": "1",
    });
  }

  /** GET .../locations/{location}/operations/{id}: the Location poll (monitor=true) or the Azure-AsyncOperation status. */
  operation(ctx: Ctx, id: string): void {
    const o = this.operations.get(id);
    if (!o) return ctx.reply(404, ARM.notFound(`operations/${id}`));
    if (ctx.url.searchParams.get("monitor") === "true")
      return o.done ? ctx.reply(200, o.result) : ctx.reply(202, undefined, { "Retry-After": "1" });
    return ctx.reply(200, {
      startTime: o.started,
      ...(o.done ? { endTime: o.ended, status: "Succeeded", properties: { output: o.result } } : { status: "InProgress" }),
      name: id,
    });
  }

  /** Kills every script still running. */
  stop(): void {
    for (const child of this.children) child.kill("SIGKILL");
  }

  /** Runs the posted shell script as the VM would: bash, named parameters as env, unnamed ones as arguments. */
  private execute(id: string, vm: Identity, script: string[], parameters: { name?: string; value?: string }[]): void {
    const file = path.join(this.site.dir, `runcommand-${id}.sh`);
    fs.writeFileSync(file, script.join("\n") + "\n", { mode: 0o700 });
    const named = Object.fromEntries(parameters.filter((x) => x.name && x.value).map((x) => [x.name!, x.value!]));
    const args = parameters.filter((x) => !x.name && x.value).map((x) => x.value!);
    this.site.events.push(`runCommand:start:${vm.vmName}`);
    const child = spawn("/bin/bash", [file, ...args], {
      env: { PATH: pathWithPython(this.site.dir), ...named, ...this.site.probeEnv(vm) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.children.add(child);
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", () => {
      this.children.delete(child);
      this.site.events.push(`runCommand:end:${vm.vmName}`);
      fs.rmSync(file, { force: true });
      const o = this.operations.get(id)!;
      // As on Azure (azure-cli #14425): the state says succeeded whatever the script's exit code was.
      o.result = {
        value: [
          {
            code: "ProvisioningState/succeeded",
            level: "Info",
            displayStatus: "Provisioning succeeded",
            message: `Enable succeeded: \n[stdout]\n${out.slice(-RUN_COMMAND_OUTPUT_LIMIT)}\n[stderr]\n${err.slice(-RUN_COMMAND_OUTPUT_LIMIT)}`,
          },
        ],
      };
      o.ended = new Date().toISOString();
      o.done = true;
    });
  }
}
