// Inventory 2: every way in. NSG rules, public IPs, Bastion features, vault and storage firewalls, and storage
// features that open another door. Allowed: the admin port from config allowedSshCidrs (and operatorIpRanges), the
// lab subnet, and operatorIpRanges through the firewalls; each range at most a /24 (policy/baseline.ts says why).
import { contains, parseCidr, size } from "../../lib/net";
import { howToAllow } from "../allow-list";
import { ADMIN_PORT, MAX_RANGE_PREFIX, MAX_TOTAL_ADDRESSES } from "../baseline";
import { array, Finding, known, list, PolicyContext, PolicyResourceView, Rule, shownList } from "../engine";
import { azureName, byType, labOs, refersTo, T } from "../graph";
import { isTrue } from "../shapes/paths";
import { pointsAt } from "../shapes/refs";

const norm = (v: string) => v.trim().toLowerCase().replace(/\/32$/, "");
const isSeatChild = (r: PolicyResourceView) => /::seat\d+$/.test(r.parent ?? "");

/**
 * What is wrong with sources against an allow-list from config: each must be listed, IPv4, at most a /24, and the
 * list together at most MAX_TOTAL_ADDRESSES. Config itself is held to the bound: a /3 is not one office.
 */
export function rangeProblems(sources: readonly string[], allowed: readonly string[], allowedName: string): string[] {
  const ok = new Set(allowed.map(norm));
  const problems: string[] = [];
  let total = 0;
  for (const shown of new Set(sources.map((x) => x.trim()))) {
    const s = norm(shown);
    const c = parseCidr(s, true);
    if (!ok.has(s)) problems.push(`${shown} is not in ${allowedName}`);
    else if (!c) problems.push(`${shown} is not an IPv4 address or range`);
    else if (c.prefix < MAX_RANGE_PREFIX)
      problems.push(`${shown} is wider than a /${MAX_RANGE_PREFIX} (${size(c)} addresses is not one office)`);
    if (c) total += size(c);
  }
  if (total > MAX_TOTAL_ADDRESSES && !problems.length)
    problems.push(`together they span ${total} addresses, more than ${MAX_TOTAL_ADDRESSES}`);
  return problems;
}

interface NsgRule {
  readonly holder: PolicyResourceView;
  readonly label: string;
  readonly rule: Record<string, any>;
}

/** Every NSG rule: inline in NetworkSecurityGroup.securityRules, and standalone SecurityRule resources. */
export function nsgRules(resources: readonly PolicyResourceView[]): NsgRule[] {
  const out: NsgRule[] = [];
  for (const r of resources) {
    if (r.type === T.nsg)
      array(r.inputs.securityRules).forEach((rule, i) =>
        out.push({
          holder: r,
          label: `NSG ${azureName(r, "networkSecurityGroupName")} rule ${rule?.name ?? `#${i + 1}`}`,
          rule: rule ?? {},
        }),
      );
    if (r.type === T.securityRule) out.push({ holder: r, label: `NSG rule ${azureName(r, "securityRuleName")}`, rule: r.inputs });
  }
  return out;
}

const isInboundAllow = (rule: Record<string, any>) =>
  String(rule.direction ?? "").toLowerCase() === "inbound" && String(rule.access ?? "").toLowerCase() === "allow";

/** The lab subnet: the Subnet whose prefix is config subnetPrefix (any non-Bastion subnet when config is unknown). */
export function labSubnets(resources: readonly PolicyResourceView[], ctx: PolicyContext): PolicyResourceView[] {
  return byType(resources, T.subnet).filter((s) =>
    ctx.subnetPrefix ? s.inputs.addressPrefix === ctx.subnetPrefix : s.inputs.subnetName !== "AzureBastionSubnet",
  );
}

const inLabSubnet = (source: string, ctx: PolicyContext) => {
  const lab = ctx.subnetPrefix ? parseCidr(ctx.subnetPrefix) : undefined;
  const c = parseCidr(source.trim(), true);
  return !!lab && !!c && contains(lab, c);
};

/** Firewall problems shared by the vault and the storage account. */
function firewallProblems(
  holder: PolicyResourceView,
  resources: readonly PolicyResourceView[],
  ctx: PolicyContext,
  fw: { bypass: unknown; ips: string[]; subnets: unknown[]; other?: string[] },
): string[] {
  const problems: string[] = [];
  if (String(fw.bypass ?? "").toLowerCase() !== "none")
    problems.push(
      `bypass is ${JSON.stringify(fw.bypass ?? "unset (AzureServices)")}, which lets Azure services past the firewall: set it to "None"`,
    );
  problems.push(...rangeProblems(fw.ips, ctx.operatorIpRanges ?? [], "config operatorIpRanges").map((p) => `IP rule ${p}`));
  const labs = labSubnets(resources, ctx);
  for (const s of fw.subnets)
    if (!labs.some((l) => refersTo(s, holder, l)))
      problems.push(`virtual network rule ${known(s) ? s : "(unknown)"} is not the lab subnet`);
  problems.push(...(fw.other ?? []));
  return problems;
}

const INGRESS_SOURCE = [
  "MCSB NS-1 (network segmentation)",
  "MCSB NS-2 (secure cloud services with network controls)",
  "Checkov CKV_AZURE_10",
  "tfsec azure-network-no-public-ingress",
];

export const ingressRules: readonly Rule[] = [
  {
    kind: "stack",
    id: "ingress-nsg-rules",
    name: "Every inbound NSG allow rule is the admin port from allowedSshCidrs or operatorIpRanges, or traffic from the lab subnet",
    enforcement: "mandatory",
    why: "The lab's only door from outside is SSH (RDP on Windows) from the configured CIDRs. Any other port (JupyterHub, RStudio, every port), any service tag (Internet, AzureCloud, VirtualNetwork), `*`, a split world range such as 0.0.0.0/1, or a range wider than one office opens the seats to strangers.",
    source: INGRESS_SOURCE,
    fix: "Admit only the admin port (22, or 3389 on Windows) from config allowedSshCidrs or operatorIpRanges (each at most a /24); remove every other inbound allow rule.",
    check: (resources, ctx) => {
      const port = String(ADMIN_PORT[labOs(resources, ctx)]);
      const admins = [...(ctx.allowedSshCidrs ?? []), ...(ctx.operatorIpRanges ?? [])];
      return nsgRules(resources).flatMap(({ holder, label, rule }): Finding[] => {
        if (!isInboundAllow(rule)) return [];
        const sources = [...(known(rule.sourceAddressPrefix) ? [rule.sourceAddressPrefix] : []), ...list(rule.sourceAddressPrefixes)];
        const ports = [...(known(rule.destinationPortRange) ? [rule.destinationPortRange] : []), ...list(rule.destinationPortRanges)];
        const asgs = array(rule.sourceApplicationSecurityGroups);
        const outside = sources.filter((s) => !inLabSubnet(s, ctx));
        const problems: string[] = [];
        if (!sources.length && !asgs.length) problems.push("it names no source");
        if (asgs.length) problems.push(`it admits ${asgs.length} application security group(s), which the lab never declares`);
        if (outside.length) {
          problems.push(...rangeProblems(outside, admins, "config allowedSshCidrs or operatorIpRanges"));
          const wrongPorts = ports.filter((p) => p.trim() !== port);
          if (wrongPorts.length || !ports.length)
            problems.push(`port ${shownList(ports.length ? wrongPorts : ["(none)"])} is not the admin port ${port}`);
        }
        return problems.length
          ? [
              {
                urn: holder.urn,
                message: `${label} admits port ${shownList(ports)} from ${shownList([...sources, ...(asgs.length ? ["(application security groups)"] : [])])}: ${problems.join("; ")}. Restrict it to port ${port} from allowedSshCidrs, or remove it. ${howToAllow("another way in")}`,
              },
            ]
          : [];
      });
    },
  },
  {
    kind: "stack",
    id: "ingress-public-ips",
    name: "Public IPs are only the NAT gateway's, Bastion's (config bastion) and the seats' when allowedSshCidrs is set",
    enforcement: "mandatory",
    why: "A public IP is a door. The NAT gateway's admits nothing inbound; Bastion's is how seats are reached without one; a seat's own is allowed only when the NSG admits the admin port from configured CIDRs.",
    source: ["MCSB NS-1", "Checkov CKV_AZURE_119", "tfsec azure-network-no-public-ingress"],
    fix: "Remove the public IP, or set config allowedSshCidrs (seat IPs) or bastion (Bastion's IP).",
    check: (resources, ctx) => {
      const sshOpen = (ctx.allowedSshCidrs ?? []).length > 0;
      const findings: Finding[] = [];
      const nicRefs = (n: PolicyResourceView) =>
        array(n.inputs.ipConfigurations)
          .map((c) => c?.publicIPAddress)
          .filter(Boolean);
      for (const ip of byType(resources, T.publicIp)) {
        const nat = byType(resources, T.nat).some((n) => array(n.inputs.publicIpAddresses).some((x) => refersTo(x?.id, n, ip)));
        const bastion =
          ctx.bastion === true &&
          byType(resources, T.bastion).some((b) => array(b.inputs.ipConfigurations).some((c) => refersTo(c?.publicIPAddress?.id, b, ip)));
        const seat = sshOpen && byType(resources, T.nic).some((n) => isSeatChild(n) && nicRefs(n).some((x) => refersTo(x?.id, n, ip)));
        if (!nat && !bastion && !seat)
          findings.push({
            urn: ip.urn,
            message: `Public IP ${azureName(ip, "publicIpAddressName")} is neither the NAT gateway's, nor Bastion's with config bastion true, nor a seat's with allowedSshCidrs set: remove it. ${howToAllow("another public IP")}`,
          });
      }
      for (const n of byType(resources, T.nic)) {
        if (nicRefs(n).length && !(sshOpen && isSeatChild(n)))
          findings.push({
            urn: n.urn,
            message: `NIC ${n.name} has a public IP, but ${sshOpen ? "it is not a seat's" : "config allowedSshCidrs is empty"}: remove the public IP, or set allowedSshCidrs to your public CIDRs.`,
          });
      }
      for (const vm of byType(resources, T.vm)) {
        const inline = array(vm.inputs.networkProfile?.networkInterfaceConfigurations).some((n) =>
          array(n?.ipConfigurations).some((c) => c?.publicIPAddressConfiguration),
        );
        if (inline && !sshOpen)
          findings.push({
            urn: vm.urn,
            message: `VM ${vm.name} has a public IP configuration, but config allowedSshCidrs is empty: remove the public IP.`,
          });
      }
      return findings;
    },
  },
  {
    kind: "stack",
    id: "ingress-lab-subnet-nsg",
    name: "The lab subnet carries the lab's own NSG",
    enforcement: "mandatory",
    why: "The NSG is where ingress-nsg-rules' judgement takes effect: a lab subnet with no NSG, or another one, admits whatever reaches it (a seat's public IP, a peered network, Bastion) on every port.",
    source: ["MCSB NS-1 (network segmentation)", "Checkov CKV2_AZURE_31 (subnet is associated with an NSG)"],
    fix: "Set the lab subnet's networkSecurityGroup.id to the NSG components/LabNetwork.ts makes beside it.",
    check: (resources, ctx) => {
      const seatIps = byType(resources, T.nic).some(
        (n) => isSeatChild(n) && array(n.inputs.ipConfigurations).some((c) => c?.publicIPAddress),
      );
      return labSubnets(resources, ctx).flatMap((s): Finding[] => {
        const own = byType(resources, T.nsg).filter((g) => g.parent === s.parent);
        if (own.some((g) => pointsAt(s.inputs.networkSecurityGroup?.id, s, g, "networkSecurityGroupName"))) return [];
        const has = known(s.inputs.networkSecurityGroup?.id) ? `another NSG (${s.inputs.networkSecurityGroup.id})` : "no NSG";
        return [
          {
            urn: s.urn,
            message: `Subnet ${s.name} has ${has}${seatIps ? ", but seats have public IPs" : ""}: set its networkSecurityGroup to the lab's NSG. ${howToAllow("another subnet filter")}`,
          },
        ];
      });
    },
  },
  {
    kind: "stack",
    id: "ingress-bastion-features",
    name: "Bastion exists only with config bastion, and with no shareable links, tunneling, IP connect, file copy or Kerberos",
    enforcement: "mandatory",
    why: "Bastion admits people who sign in to the portal with Entra ID. A shareable link admits anyone who has the URL; native-client tunneling and IP-based connect reach any port or address, not just the seats' sign-in; file copy moves data out.",
    source: ["MCSB NS-1", "MCSB PA-7", "learn.microsoft.com/azure/bastion/configuration-settings (features)"],
    fix: "Set config bastion true for a Bastion; leave enableShareableLink, enableTunneling, enableIpConnect, enableFileCopy and enableKerberos unset or false.",
    check: (resources, ctx) =>
      byType(resources, T.bastion).flatMap((b): Finding[] => {
        const on = ["enableShareableLink", "enableTunneling", "enableIpConnect", "enableFileCopy", "enableKerberos"].filter((k) =>
          isTrue(b.inputs[k]),
        );
        const problems = [
          ...(ctx.bastion === true ? [] : ["config bastion is not true"]),
          ...(on.length ? [`it turns on ${on.join(", ")}`] : []),
        ];
        return problems.length
          ? [
              {
                urn: b.urn,
                message: `Bastion ${azureName(b, "bastionHostName")}: ${problems.join("; ")}. Remove ${on.length ? "those features" : "it"}. ${howToAllow("another Bastion feature")}`,
              },
            ]
          : [];
      }),
  },
  {
    kind: "stack",
    id: "ingress-vault-firewall",
    name: "The vault firewall admits only the lab subnet and operatorIpRanges, with bypass None",
    enforcement: "mandatory",
    why: "The vault is reachable from the internet with only its firewall in between. Bypass AzureServices lets every trusted Azure service through; an IP rule outside operatorIpRanges, or wider than one office, admits strangers to the data plane.",
    source: ["MCSB NS-2", "Checkov CKV_AZURE_109", "tfsec azure-keyvault-specify-network-acl"],
    fix: 'Set networkAcls.bypass "None", ipRules from config operatorIpRanges only, virtualNetworkRules the lab subnet only.',
    check: (resources, ctx) =>
      byType(resources, T.vault).flatMap((v): Finding[] => {
        const acl = v.inputs.properties?.networkAcls ?? {};
        const problems = firewallProblems(v, resources, ctx, {
          bypass: acl.bypass,
          ips: array(acl.ipRules).map((r) => String(r?.value ?? "")),
          subnets: array(acl.virtualNetworkRules).map((r) => r?.id),
        });
        return problems.length
          ? [
              {
                urn: v.urn,
                message: `Vault ${azureName(v, "vaultName")} firewall: ${problems.join("; ")}. Remove what config does not list. ${howToAllow("another firewall rule")}`,
              },
            ]
          : [];
      }),
  },
  {
    kind: "stack",
    id: "ingress-storage-firewall",
    name: "The storage firewall admits only the lab subnet and operatorIpRanges, with bypass None and no resource access rules",
    enforcement: "mandatory",
    why: "Shared-key access stays on (an accepted exception), so the firewall is what keeps a leaked key from working anywhere else. Bypass, resource access rules and wide IP rules each let another party use it.",
    source: ["MCSB NS-2", "Checkov CKV_AZURE_35", "tfsec azure-storage-default-action-deny"],
    fix: 'Set networkRuleSet.bypass "None", ipRules from config operatorIpRanges only, virtualNetworkRules the lab subnet only, and no resourceAccessRules.',
    check: (resources, ctx) =>
      byType(resources, T.storage).flatMap((s): Finding[] => {
        const set = s.inputs.networkRuleSet ?? {};
        const other = array(set.resourceAccessRules).length
          ? [`${array(set.resourceAccessRules).length} resource access rule(s) admit other Azure resources`]
          : [];
        const problems = firewallProblems(s, resources, ctx, {
          bypass: set.bypass,
          ips: array(set.ipRules).map((r) => String(r?.iPAddressOrRange ?? "")),
          subnets: array(set.virtualNetworkRules).map((r) => r?.virtualNetworkResourceId),
          other,
        });
        return problems.length
          ? [
              {
                urn: s.urn,
                message: `Storage account ${azureName(s, "accountName")} firewall: ${problems.join("; ")}. Remove what config does not list. ${howToAllow("another firewall rule")}`,
              },
            ]
          : [];
      }),
  },
  {
    kind: "stack",
    id: "ingress-storage-features",
    name: "No storage feature opens another door: SFTP, local users, NFSv3, cross-tenant replication",
    enforcement: "mandatory",
    why: "SFTP and local users add accounts with their own passwords or keys, outside Entra ID and the access matrix; NFSv3 authorizes by network only; cross-tenant replication copies the data to a tenant the lab does not control.",
    source: [
      "MCSB NS-2",
      "MCSB IM-1",
      "Checkov CKV2_AZURE_47",
      "learn.microsoft.com/azure/storage/blobs/secure-file-transfer-protocol-support",
    ],
    fix: "Leave isSftpEnabled, isLocalUserEnabled and isNfsV3Enabled unset or false, set allowCrossTenantReplication false, and create no storage LocalUser.",
    check: (resources) => [
      ...byType(resources, T.storage).flatMap((s): Finding[] => {
        const on = ["isSftpEnabled", "isLocalUserEnabled", "isNfsV3Enabled", "allowCrossTenantReplication"].filter((k) =>
          isTrue(s.inputs[k]),
        );
        return on.length
          ? [
              {
                urn: s.urn,
                message: `Storage account ${azureName(s, "accountName")} turns on ${on.join(", ")}: set ${on.length === 1 ? "it" : "them"} to false. ${howToAllow("another storage feature")}`,
              },
            ]
          : [];
      }),
      ...resources
        .filter((r) => /storage:LocalUser$/i.test(r.type))
        .map((r) => ({
          urn: r.urn,
          message: `Storage local user ${r.name} is an account outside Entra ID and the access matrix: remove it.`,
        })),
    ],
  },
];
