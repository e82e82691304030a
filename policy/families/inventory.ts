// Inventory 3: every resource type, VM extension and run command is one the lab declares (policy/allow-list.ts).
// An unknown one is a mandatory violation whose message says how to allow it on purpose.
import { createHash } from "crypto";
import { psParameterName } from "../../probe/contract";
import {
  COMPONENT_PREFIX,
  DECLARED_EXTENSIONS,
  DECLARED_PROBE_FLAGS,
  DECLARED_RUN_COMMAND_NAME,
  DECLARED_TYPES,
  howToAllow,
} from "../allow-list";
import { PROBE_SHA256 } from "../baseline";
import { array, Finding, known, PolicyResourceView, Rule, shownList } from "../engine";
import { azureName, byType, isRunCommand, isWindows, refersTo, seatNumber, T } from "../graph";
import { fingerprint } from "../secrets";

/** A script's sha256, to compare with the probe's pin in policy/baseline.ts (never with the checkout's own file). */
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** The VM a VM child (extension, run command) belongs to, by its vmName input or its dependency on the VM. */
export function targetVm(r: PolicyResourceView, resources: readonly PolicyResourceView[]): PolicyResourceView | undefined {
  const vms = byType(resources, T.vm);
  if (known(r.inputs.vmName)) return vms.find((vm) => azureName(vm, "vmName").toLowerCase() === r.inputs.vmName.toLowerCase());
  const deps = vms.filter((vm) => refersTo(r.inputs.vmName, r, vm));
  return deps.length === 1 ? deps[0] : undefined;
}

export const inventoryRules: readonly Rule[] = [
  {
    kind: "stack",
    id: "inventory-resource-types",
    name: "Every resource type is one the lab declares",
    enforcement: "mandatory",
    why: "The rules judge what they know. A type nobody declared (a load balancer, a peering, a PIM schedule, a user-assigned identity, another provider) is a door or a grant no rule was written for, so it is denied until someone reviews it.",
    source: ["MCSB AM-2 (use only approved services)", "MCSB PA-7"],
    fix: "Remove the resource, or declare its type with the reason in policy/allow-list.ts DECLARED_TYPES in a reviewed PR.",
    check: (resources, ctx) => [
      ...resources
        .filter((r) => !r.type.startsWith(COMPONENT_PREFIX) && !(r.type in DECLARED_TYPES))
        .map((r) => ({
          urn: r.urn,
          message: `${r.type} ${r.name} is not a resource type the lab declares: remove it. ${howToAllow(`type ${r.type}`)}`,
        })),
      // VMs are declared as seats: one more VM is compute, an identity and a way in nobody declared.
      ...byType(resources, T.vm)
        .filter((vm) => seatNumber(vm, ctx) === undefined)
        .map((vm) => ({
          urn: vm.urn,
          message: `VM ${azureName(vm, "vmName")} is not one of the lab's seats (config seats ${ctx.seats ?? "unknown"}): remove it. ${howToAllow("another VM")}`,
        })),
    ],
  },
  {
    kind: "stack",
    id: "inventory-vm-extensions",
    name: "Every VM extension is the seat OS's Entra sign-in extension, with no settings",
    enforcement: "mandatory",
    why: "An extension runs as root (SYSTEM on Windows) on the VM. CustomScript, DSC or any other handler can run anything, re-enable passwords or read the identity's tokens, and its script sits in ARM for every Reader to see.",
    source: [
      "MCSB PV-3 (secure configurations for compute)",
      "MCSB AM-5 (approved applications in VMs)",
      "Checkov CKV_AZURE_50 (no VM extensions)",
    ],
    fix: "Keep only AADSSHLoginForLinux (Ubuntu) or AADLoginForWindows (Windows) on seats, with no settings; run checks through the declared run command.",
    check: (resources, ctx) =>
      resources
        .filter((r) => r.type === T.extension || /compute:VirtualMachineScaleSetExtension$/.test(r.type))
        .flatMap((r): Finding[] => {
          const vm = targetVm(r, resources);
          const os = vm && isWindows(vm) ? "windows" : "ubuntu";
          const handler = `${r.inputs.publisher ?? "?"}/${r.inputs.type ?? r.inputs.type_ ?? "?"}`;
          const declared = Object.keys(DECLARED_EXTENSIONS[os]).some((k) => k.toLowerCase() === handler.toLowerCase());
          const problems: string[] = [];
          if (!declared)
            problems.push(`${handler} is not a declared extension for ${os} seats (${Object.keys(DECLARED_EXTENSIONS[os]).join(", ")})`);
          if (!vm || seatNumber(vm, ctx) === undefined) problems.push("it is not on a seat");
          const settings = r.inputs.settings;
          if (settings && typeof settings === "object" && Object.keys(settings).length)
            problems.push(`it carries settings (${Object.keys(settings).join(", ")})`);
          return problems.length
            ? [{ urn: r.urn, message: `VM extension ${r.name}: ${problems.join("; ")}. Remove it. ${howToAllow(`extension ${handler}`)}` }]
            : [];
        }),
  },
  {
    kind: "stack",
    id: "inventory-run-commands",
    name: "Every run command is the lab's in-VM check: its name, the lab's own probe as the script, the probe's flags",
    enforcement: "mandatory",
    why: "A run command runs its script as root on the VM with the seat's identity. Only the lab's probe, unchanged, may run; any other script (or a script fetched from a URI, or output sent to a blob) is code nobody reviewed.",
    source: ["seed step 5 (verify from inside the VM)", "MCSB PV-3", "MCSB AM-5"],
    fix: "Run only the probe (components/InVmCheck.ts): source.script exactly probe/vm-probe.py (vm-probe.ps1 on Windows), named dsvm-lab-probe[-<fingerprint>], with the probe's own flags.",
    check: (resources, ctx) => {
      return resources.filter(isRunCommand).flatMap((r): Finding[] => {
        const vm = targetVm(r, resources);
        const os = vm && isWindows(vm) ? "windows" : "ubuntu";
        const problems: string[] = [];
        if (r.type !== T.runCommandByVm) problems.push(`${r.type} is not the declared run command type`);
        if (!vm || seatNumber(vm, ctx) === undefined) problems.push("it does not run on a seat");
        if (known(r.inputs.runCommandName) && !DECLARED_RUN_COMMAND_NAME.test(r.inputs.runCommandName))
          problems.push(`its name ${JSON.stringify(r.inputs.runCommandName)} is not dsvm-lab-probe[-<fingerprint>]`);
        const source = r.inputs.source ?? {};
        for (const k of Object.keys(source).filter((k) => k !== "script" && source[k] !== undefined))
          problems.push(`source.${k} is set (only the probe's own script runs)`);
        const script = source.script;
        if (known(script) && sha256(script) !== PROBE_SHA256[os])
          problems.push(
            `source.script (${fingerprint(script)}) is not the lab's ${os === "windows" ? "vm-probe.ps1" : "vm-probe"} as pinned in policy/baseline.ts (sha256 ${PROBE_SHA256[os].slice(0, 8)})`,
          );
        const params = array(r.inputs.parameters);
        const flags =
          os === "windows"
            ? params.map((p) => String(p?.name ?? ""))
            : params.filter((_p, i) => i % 2 === 0).map((p) => String(p?.value ?? ""));
        const allowed: readonly string[] = os === "windows" ? DECLARED_PROBE_FLAGS.map(psParameterName) : DECLARED_PROBE_FLAGS;
        const unknownFlags = flags.filter((f) => f !== "" && f !== "(known after deploy)" && !allowed.includes(f));
        if (os === "ubuntu" && params.some((p) => known(p?.name)))
          unknownFlags.push(...params.filter((p) => known(p?.name)).map((p) => `${p.name}= (named)`));
        if (unknownFlags.length) problems.push(`parameters ${shownList(unknownFlags)} are not the probe's flags`);
        // The handler joins unnamed parameters into the command line unquoted: each must be one plain word.
        const unsafe = params.map((p) => p?.value).filter((v) => known(v) && !/^[A-Za-z0-9_.:/=+-]+$/.test(v));
        if (unsafe.length)
          problems.push(
            `${unsafe.length} parameter value(s) are not one plain word (${unsafe.map((v) => JSON.stringify(v.slice(0, 40))).join(", ")})`,
          );
        for (const k of ["outputBlobUri", "errorBlobUri"])
          if (r.inputs[k] !== undefined) problems.push(`${k} is set (the output stays on the VM's instance view)`);
        return problems.length
          ? [
              {
                urn: r.urn,
                message: `Run command ${r.name}: ${problems.join("; ")}. Remove it, or run the lab's probe as components/InVmCheck.ts does. ${howToAllow("another run command")}`,
              },
            ]
          : [];
      });
    },
  },
];
