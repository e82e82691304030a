// lib/azure/tokens.ts against the installed providers: each token is its class's own `__pulumiType`, read from the
// provider's files (no module load), so a renamed or mistyped token fails here, not as a gate that judges nothing.
import * as fs from "fs";
import * as path from "path";
import { ARM_TYPE, AZURE_NATIVE_PREFIX, GET_CLIENT_CONFIG, RANDOM_TYPE, TYPE } from "../../lib/azure";
import { evaluate, rules } from "../../policy/rules";

const pkgDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));
const classFile = (dir: string, cls: string) => path.join(dir, `${cls[0].toLowerCase()}${cls.slice(1)}.js`);

describe("type tokens are the providers' own", () => {
  it.each(Object.entries(TYPE))("TYPE.%s (%s) is its azure-native class's __pulumiType", (_key, token) => {
    expect(token.startsWith(AZURE_NATIVE_PREFIX)).toBe(true);
    const [, mod, cls] = token.split(":");
    const file = classFile(path.join(pkgDir("@pulumi/azure-native"), mod), cls);
    expect(fs.readFileSync(file, "utf8")).toContain(`static __pulumiType = '${token}';`);
  });
  it.each(Object.entries(RANDOM_TYPE))("RANDOM_TYPE.%s (%s) is its random class's __pulumiType", (_key, token) => {
    const cls = token.split(":")[2];
    expect(fs.readFileSync(classFile(pkgDir("@pulumi/random"), cls), "utf8")).toContain(`static __pulumiType = '${token}';`);
  });
  it("GET_CLIENT_CONFIG is the token getClientConfig invokes", () => {
    const file = path.join(pkgDir("@pulumi/azure-native"), "authorization", "getClientConfig.js");
    expect(fs.readFileSync(file, "utf8")).toContain(`"${GET_CLIENT_CONFIG}"`);
  });
  it("each key names the resource it says (a swap to another real class fails here)", () => {
    expect(TYPE).toEqual({
      resourceGroup: "azure-native:resources:ResourceGroup",
      vm: "azure-native:compute:VirtualMachine",
      runCommandByVm: "azure-native:compute:VirtualMachineRunCommandByVirtualMachine",
      extension: "azure-native:compute:VirtualMachineExtension",
      vault: "azure-native:keyvault:Vault",
      accessPolicy: "azure-native:keyvault:AccessPolicy",
      secret: "azure-native:keyvault:Secret",
      key: "azure-native:keyvault:Key",
      storage: "azure-native:storage:StorageAccount",
      roleAssignment: "azure-native:authorization:RoleAssignment",
      roleDefinition: "azure-native:authorization:RoleDefinition",
      nsg: "azure-native:network:NetworkSecurityGroup",
      securityRule: "azure-native:network:SecurityRule",
      nic: "azure-native:network:NetworkInterface",
      publicIp: "azure-native:network:PublicIPAddress",
      nat: "azure-native:network:NatGateway",
      bastion: "azure-native:network:BastionHost",
      vnet: "azure-native:network:VirtualNetwork",
      subnet: "azure-native:network:Subnet",
      schedule: "azure-native:devtestlab:GlobalSchedule",
    });
  });
  it("a token one letter off is not any class's (the check can fail)", () => {
    const file = classFile(path.join(pkgDir("@pulumi/azure-native"), "keyvault"), "Vault");
    expect(fs.readFileSync(file, "utf8")).not.toContain(`static __pulumiType = '${TYPE.vault}s';`);
  });
});

describe("ARM types", () => {
  it("are Namespace/type[/child] under the namespaces the lab uses", () => {
    for (const t of Object.values(ARM_TYPE))
      expect(t).toMatch(/^Microsoft\.(Resources|Compute|KeyVault|Storage|Authorization|Network|DevTestLab)(\/[A-Za-z]+)+$/);
  });
});

describe("the gate denies a type it does not know", () => {
  const view = (type: string) => ({ type, name: "x", urn: `urn:pulumi:t::p::${type}::x`, inputs: {}, props: {} });
  it("a token not among lib/azure's (a renamed one) is a mandatory violation", () => {
    const found = evaluate([view(`${TYPE.vault}s`)], { ephemeral: false, allowedSshCidrs: [], subnetPrefix: "10.42.1.0/24" }, rules);
    expect(found.filter((f) => f.enforcement === "mandatory").map((f) => f.message)).toEqual(
      expect.arrayContaining([expect.stringContaining(`${TYPE.vault}s`)]),
    );
  });
});
