// Deny by default at the level of properties: every input a resource sets is one the lab declares for its type
// (policy/shapes/declared.ts), and where a declared property holds a reference or an image, it points at the lab's own.
// A peering, a route table, DNS servers, userData, a gallery application or an outside NIC each set a property the
// lab never sets, so they are denied before anyone has to think of them.
import { array, Finding, known, PolicyResourceView, ResourceRule, Rule, shownList } from "../engine";
import { azureName, byType, isWindows, seatVms, T } from "../graph";
import { DECLARED_PATHS, DECLARED_SHAPES_FILE } from "../shapes/declared";
import { LAB_IMAGES } from "../shapes/images";
import { inputPaths } from "../shapes/paths";
import { pointsAt } from "../shapes/refs";
import { JUDGED_ON_EVERY_TYPE, SHAPE_REASONS } from "../shapes/reasons";
import { labSubnets } from "./ingress";

interface Shape {
  readonly paths: ReadonlySet<string>;
  /** Judged subtrees, each as `p.` and `p[]` prefixes and `p` itself. */
  readonly judged: readonly string[];
}

const SHAPES: ReadonlyMap<string, Shape> = new Map(
  Object.entries(DECLARED_PATHS).map(([type, paths]) => [
    type,
    { paths: new Set(paths), judged: Object.keys({ ...JUDGED_ON_EVERY_TYPE, ...SHAPE_REASONS[type]?.judged }) },
  ]),
);

const underJudged = (path: string, judged: readonly string[]) =>
  judged.some((j) => path === j || path.startsWith(`${j}.`) || path.startsWith(`${j}[]`));

/** The paths of `r` that its type's declared shape does not have. Types with no shape: inventory-resource-types' business. */
export function undeclaredPaths(r: Pick<PolicyResourceView, "type" | "inputs">): string[] {
  const shape = SHAPES.get(r.type);
  if (!shape) return [];
  return [...inputPaths(r.inputs)].filter((p) => !shape.paths.has(p) && !underJudged(p, shape.judged)).sort();
}

const SHOWN = 8;

const inventoryProperties: ResourceRule = {
  kind: "resource",
  types: [...SHAPES.keys()],
  id: "inventory-properties",
  name: "Every input property a resource sets is one the lab declares for its type",
  enforcement: "mandatory",
  why: "Allowed types still carry doors in their properties: a VNet peering, a subnet shared with other tenants, a route table or DNS servers, a NIC that forwards traffic or sits behind a load balancer's NAT rule, boot-time userData, a gallery application, files shares with Kerberos, boot diagnostics to an outside account. Each is a property the lab never sets, so anything not declared is denied.",
  source: ["MCSB AM-2 (use only approved services)", "MCSB NS-1", "MCSB PV-3 (secure configurations for compute)"],
  fix: `Remove the property, or add it on purpose: npm run shapes regenerates ${DECLARED_SHAPES_FILE}; give the type's reason in policy/shapes/reasons.ts in a reviewed PR (docs/reviewing-a-pr.md).`,
  check: (r) => {
    const extra = undeclaredPaths(r);
    if (!extra.length) return [];
    const shown = extra.length > SHOWN ? [...extra.slice(0, SHOWN), `and ${extra.length - SHOWN} more`] : extra;
    return [
      `${r.type} ${r.name} sets ${shownList(shown)}, which the lab never declares for this type: remove ${extra.length === 1 ? "it" : "them"}. If the lab needs ${extra.length === 1 ? "it" : "them"}, run npm run shapes so ${DECLARED_SHAPES_FILE} lists ${extra.length === 1 ? "it" : "them"}, with the reason in policy/shapes/reasons.ts, in a reviewed PR (docs/reviewing-a-pr.md).`,
    ];
  },
};

const imageKeys = ["publisher", "offer", "sku", "version"] as const;

const inventoryImage: Rule = {
  kind: "stack",
  id: "inventory-image",
  name: "Every VM boots one of the lab's two DSVM marketplace images, exactly",
  enforcement: "mandatory",
  why: "The image is the code that runs as root before any check: another publisher, a community or shared gallery image, or a custom image id can carry a backdoor no rule sees. The lab's images are literals in the policy, not the program's constants.",
  source: ["MCSB PV-4 (audit and enforce secure configurations for compute)", "MCSB AM-5 (approved applications in VMs)"],
  fix: "Set storageProfile.imageReference to exactly the DSVM image of the seat's OS (policy/shapes/images.ts), with no id, sharedGalleryImageId or communityGalleryImageId.",
  // Seats only: any other VM is denied whole by inventory-resource-types.
  check: (resources, ctx) =>
    seatVms(resources, ctx).flatMap((r): Finding[] => {
      const os = isWindows(r) ? "windows" : "ubuntu";
      const want = LAB_IMAGES[os];
      const ref = r.inputs.storageProfile?.imageReference ?? {};
      const problems: string[] = [];
      for (const k of imageKeys)
        if (String(ref[k] ?? "").toLowerCase() !== want[k].toLowerCase())
          problems.push(`${k} ${JSON.stringify(ref[k] ?? null)} is not ${JSON.stringify(want[k])}`);
      for (const k of Object.keys(ref).filter(
        (k) => !(imageKeys as readonly string[]).includes(k) && ref[k] !== undefined && ref[k] !== null && ref[k] !== "",
      ))
        problems.push(`${k} is set`);
      return problems.length
        ? [
            {
              urn: r.urn,
              message: `VM ${azureName(r, "vmName")} boots another image (${problems.join("; ")}): set storageProfile.imageReference to ${want.publisher}:${want.offer}:${want.sku}:${want.version}. To change the image on purpose, edit policy/shapes/images.ts in a reviewed PR (docs/reviewing-a-pr.md).`,
            },
          ]
        : [];
    }),
};

/** The seat component a resource belongs to (`...::seat3`), if any. */
const component = (r: PolicyResourceView) => r.parent;

export const shapeRules: readonly Rule[] = [
  inventoryProperties,
  inventoryImage,
  {
    kind: "stack",
    id: "ingress-nic-subnet",
    name: "Every NIC attaches to the lab subnet of this plan",
    enforcement: "mandatory",
    why: "A NIC in another subnet (another VNet, another subscription, AzureBastionSubnet) puts a seat, and its identity, on a network the lab's NSG, NAT gateway and firewalls do not govern.",
    source: ["MCSB NS-1 (network segmentation)"],
    fix: "Set every ipConfigurations[].subnet.id to the lab subnet (components/LabNetwork.ts subnetId).",
    check: (resources, ctx) => {
      const labs = labSubnets(resources, ctx).filter((s) => s.inputs.subnetName !== "AzureBastionSubnet");
      return byType(resources, T.nic).flatMap((n): Finding[] => {
        const bad = array(n.inputs.ipConfigurations)
          .map((c, i) => ({ name: known(c?.name) ? c.name : `#${i + 1}`, id: c?.subnet?.id }))
          .filter((c) => !labs.some((s) => pointsAt(c.id, n, s, "subnetName", "virtualNetworkName")));
        return bad.length
          ? [
              {
                urn: n.urn,
                message: `NIC ${azureName(n, "networkInterfaceName")} IP configuration ${bad.map((c) => `${c.name} (subnet ${known(c.id) ? c.id : "not the lab's"})`).join(", ")} is not in the lab subnet: set subnet.id to the lab subnet.`,
              },
            ]
          : [];
      });
    },
  },
  {
    kind: "stack",
    id: "ingress-vm-nics",
    name: "Every VM has exactly one NIC: its seat's own, of this plan",
    enforcement: "mandatory",
    why: "A second NIC, or a NIC from outside the plan, joins the seat to a network the lab does not declare; its subnet, NSG and public IP are nobody's review.",
    source: ["MCSB NS-1 (network segmentation)"],
    fix: "Give each seat exactly its own NIC (components/DataScienceVm.ts): networkProfile.networkInterfaces [{ id: nic.id }].",
    // Seats only: any other VM is denied whole by inventory-resource-types.
    check: (resources, ctx) => {
      // NICs by their component, once: a large lab has thousands.
      const byComponent = new Map<string | undefined, PolicyResourceView[]>();
      for (const n of byType(resources, T.nic)) {
        const list = byComponent.get(component(n));
        if (list) list.push(n);
        else byComponent.set(component(n), [n]);
      }
      return seatVms(resources, ctx).flatMap((vm): Finding[] => {
        const refs = array(vm.inputs.networkProfile?.networkInterfaces).map((x) => x?.id);
        const own = component(vm) === undefined ? [] : (byComponent.get(component(vm)) ?? []);
        const problems: string[] = [];
        if (refs.length !== 1) problems.push(`it has ${refs.length} NICs, not 1`);
        const outside = refs.filter((id) => !own.some((n) => pointsAt(id, vm, n, "networkInterfaceName")));
        if (outside.length)
          problems.push(
            `${outside.length} NIC(s) are not the seat's own NIC of this plan (${outside.map((id) => (known(id) ? id : "not known before deploy")).join(", ")})`,
          );
        return problems.length
          ? [{ urn: vm.urn, message: `VM ${azureName(vm, "vmName")}: ${problems.join("; ")}. Remove every NIC but the seat's own.` }]
          : [];
      });
    },
  },
];
