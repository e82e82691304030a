// Advisory rules: cost and hygiene. Reported by the plan and the pack, never blocking.
import { LAB_TAG, parseIsoSeconds } from "../../lib/lifecycle";
import { TAGGABLE_TYPES } from "../../lib/tags";
import { ALLOWED_VM_SIZES, EPHEMERAL_TAGS } from "../baseline";
import { known, Rule } from "../engine";
import { azureName, byType, T } from "../graph";

export const advisoryRules: readonly Rule[] = [
  {
    kind: "stack",
    id: "vm-auto-shutdown",
    name: "Every VM has an enabled auto-shutdown schedule",
    enforcement: "advisory",
    why: "DSVMs are large; a seat left running overnight costs more than the lab's whole day.",
    source: ["lab cost guard (config autoShutdownTime)", "Azure DevTest Labs ComputeVmShutdownTask"],
    fix: "Keep the devtestlab.GlobalSchedule (ComputeVmShutdownTask) per VM in components/DataScienceVm.ts.",
    check: (resources) => {
      const schedules = byType(resources, T.schedule).filter(
        (s) => s.inputs.taskType === "ComputeVmShutdownTask" && s.inputs.status !== "Disabled",
      );
      return byType(resources, T.vm).flatMap((vm) =>
        schedules.some((s) => (known(vm.id) && s.inputs.targetResourceId === vm.id) || s.dependencies?.includes(vm.urn))
          ? []
          : [
              {
                urn: vm.urn,
                message: `VM ${azureName(vm, "vmName")} has no enabled auto-shutdown schedule: add a devtestlab.GlobalSchedule (ComputeVmShutdownTask) targeting it.`,
              },
            ],
      );
    },
  },
  {
    kind: "resource",
    types: [T.vm],
    id: "vm-size-allowed",
    name: "VM sizes come from the lab's allowed list",
    enforcement: "advisory",
    why: "Sizes outside the list are either too small for the DSVM image or expensive GPU and memory sizes nobody reviewed.",
    source: ["lab cost guard", "DSVM image 2204-gen2 needs Generation 2 sizes"],
    fix: `Use one of ${ALLOWED_VM_SIZES.join(", ")}, or extend ALLOWED_VM_SIZES in policy/baseline.ts in a reviewed PR.`,
    check: (r, ctx) => {
      const size = r.inputs.hardwareProfile?.vmSize;
      const allowed = ctx.allowedVmSizes ?? ALLOWED_VM_SIZES;
      return !known(size) || allowed.includes(size)
        ? []
        : [`VM ${azureName(r, "vmName")} has size ${size}, which is not in the allowed list: use one of ${allowed.join(", ")}.`];
    },
  },
  {
    kind: "stack",
    id: "tags-on-ephemeral-labs",
    name: "On ephemeral stacks, every taggable resource carries the tags lab, owner and expiresAt (ISO 8601)",
    enforcement: "advisory",
    why: "The reaper finds and tears down expired labs by these tags; an untagged resource outlives its lab and keeps costing.",
    source: ["docs/labs.md (ephemeral labs)", "MCSB AM-1 (asset inventory)"],
    fix: "Apply the tags in one place (the stack transform for ephemeral stacks), not per resource.",
    check: (resources, ctx) =>
      !ctx.ephemeral
        ? []
        : resources
            .filter((r) => TAGGABLE_TYPES.has(r.type) || r.inputs.tags !== undefined)
            .flatMap((r) => {
              const tags = (r.inputs.tags ?? {}) as Record<string, unknown>;
              const missing: string[] = EPHEMERAL_TAGS.filter((t) => !known(tags[t]));
              const expiry = tags[LAB_TAG.expiresAt];
              if (known(expiry) && !parseIsoSeconds(expiry))
                missing.push(`${LAB_TAG.expiresAt} (not ISO 8601 UTC such as 2025-01-31T09:00:00Z)`);
              return missing.length
                ? [
                    {
                      urn: r.urn,
                      message: `${r.type.split(":").pop()} ${r.name} lacks tag${missing.length === 1 ? "" : "s"} ${missing.join(", ")} on an ephemeral stack: apply them in the stack's tag transform.`,
                    },
                  ]
                : [];
            }),
  },
];
