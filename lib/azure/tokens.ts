// The resource types the lab names, once: Pulumi type tokens (azure-native) and the ARM types behind them. A token
// here is the provider's own (`__pulumiType` of its class; tests/lib/azure-tokens.test.ts reads the installed
// provider), so a renamed token fails a test, and a gate keyed by these tokens denies a type it does not know.

/** Pulumi type tokens of the azure-native resources the lab registers or judges. */
export const TYPE = {
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
} as const;

export type AzureTypeToken = (typeof TYPE)[keyof typeof TYPE];

/** Every azure-native token starts so; the plan shows types without it. */
export const AZURE_NATIVE_PREFIX = "azure-native:";

/** The one invoke the program calls: who is deploying (tenant, subscription, object id). */
export const GET_CLIENT_CONFIG = "azure-native:authorization:getClientConfig";

/** The random provider's resources: values that live in state only. */
export const RANDOM_TYPE = {
  randomPassword: "random:index/randomPassword:RandomPassword",
  randomString: "random:index/randomString:RandomString",
} as const;

/**
 * ARM resource types (`<namespace>/<type>[/<child>]`): what resource ids carry after `providers/`, and what RBAC
 * actions are named by (`<type>/write`, `<type>/delete`). A resource group is the exception in ids
 * (`/subscriptions/S/resourceGroups/RG`, no providers segment); its actions are under
 * `Microsoft.Resources/subscriptions/resourceGroups`, as here.
 */
export const ARM_TYPE = {
  resourceGroup: "Microsoft.Resources/subscriptions/resourceGroups",
  vm: "Microsoft.Compute/virtualMachines",
  extension: "Microsoft.Compute/virtualMachines/extensions",
  runCommand: "Microsoft.Compute/virtualMachines/runCommands",
  disk: "Microsoft.Compute/disks",
  vault: "Microsoft.KeyVault/vaults",
  accessPolicy: "Microsoft.KeyVault/vaults/accessPolicies",
  secret: "Microsoft.KeyVault/vaults/secrets",
  key: "Microsoft.KeyVault/vaults/keys",
  deletedVault: "Microsoft.KeyVault/locations/deletedVaults",
  storage: "Microsoft.Storage/storageAccounts",
  roleAssignment: "Microsoft.Authorization/roleAssignments",
  roleDefinition: "Microsoft.Authorization/roleDefinitions",
  nsg: "Microsoft.Network/networkSecurityGroups",
  securityRule: "Microsoft.Network/networkSecurityGroups/securityRules",
  nic: "Microsoft.Network/networkInterfaces",
  publicIp: "Microsoft.Network/publicIPAddresses",
  nat: "Microsoft.Network/natGateways",
  bastion: "Microsoft.Network/bastionHosts",
  vnet: "Microsoft.Network/virtualNetworks",
  subnet: "Microsoft.Network/virtualNetworks/subnets",
  schedule: "Microsoft.DevTestLab/schedules",
} as const;
