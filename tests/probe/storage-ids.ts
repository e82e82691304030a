// --storage-account-id values both probes must refuse (exit 2, the flag named) and accept. The id becomes the path of
// the ARM URL the VM's ARM token goes to, so anything but an exact storage account id could send it elsewhere.
const SUB = "00000000-0000-0000-0000-000000000001";
export const GOOD_STORAGE_IDS = [
  `/subscriptions/${SUB}/resourceGroups/dsvmlab-dev-rg/providers/Microsoft.Storage/storageAccounts/dsvmlabst12345678`,
  `/subscriptions/${SUB}/resourceGroups/a/providers/Microsoft.Storage/storageAccounts/abc`,
  `/subscriptions/${SUB}/resourceGroups/${"r".repeat(89)}_/providers/Microsoft.Storage/storageAccounts/${"a".repeat(24)}`,
  `/subscriptions/${SUB.toUpperCase()}/resourceGroups/My_Group.(1)-x/providers/Microsoft.Storage/storageAccounts/acct1`,
];
export const BAD_STORAGE_IDS: readonly [string, string][] = [
  [
    "no leading slash (the token went to host management.azure.comsubscriptions)",
    `subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct`,
  ],
  ["a '#' ending the path early", `/subscriptions/${SUB}/providers/Microsoft.Evil/register#/Microsoft.Storage/storageAccounts/acct`],
  [
    "a '?' starting a query",
    `/subscriptions/${SUB}/providers/Microsoft.Evil/register?api-version=2021-04-01&x=/Microsoft.Storage/storageAccounts/acct`,
  ],
  [
    "'..' segments",
    `/subscriptions/../../providers/Microsoft.Management/getEntities/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct`,
  ],
  ["'..' as the resource group", `/subscriptions/${SUB}/resourceGroups/../providers/Microsoft.Storage/storageAccounts/acct`],
  ["a subscription that is not a GUID", `/subscriptions/x@evil.com/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct`],
  ["a percent-encoded '?'", `/subscriptions/${SUB}/resourceGroups/rg%3F/providers/Microsoft.Storage/storageAccounts/acct`],
  ["another provider", `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Evil/storageAccounts/acct`],
  ["an extra segment", `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct/listKeys`],
  ["a trailing slash", `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct/`],
  ["a trailing newline", `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct\n`],
  ["an upper-case account name", `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/Acct`],
  [
    "an account name of 25 characters",
    `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/${"a".repeat(25)}`,
  ],
  ["a resource group ending in '.'", `/subscriptions/${SUB}/resourceGroups/rg./providers/Microsoft.Storage/storageAccounts/acct`],
  [
    "a resource group of 91 characters",
    `/subscriptions/${SUB}/resourceGroups/${"r".repeat(91)}/providers/Microsoft.Storage/storageAccounts/acct`,
  ],
  ["a non-ASCII resource group", `/subscriptions/${SUB}/resourceGroups/r\u00e9g/providers/Microsoft.Storage/storageAccounts/acct`],
  ["a host in front", `https://evil.example/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct`],
  ["a double slash", `//evil.example/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct`],
];
