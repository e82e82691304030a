// What the in-VM probe meets on a seat: how run command is called, starts a script and passes its parameters, and which hosts
// are the cloud's Key Vault and Blob service (the only ones the probe sends a token or a key to).
import type { ConformanceEntry } from "./types";

const CHECKED = "2026-11-23";

export const IN_VM_CONFORMANCE: readonly ConformanceEntry[] = [
  {
    id: "run-command-linux-exec",
    service: "compute",
    behaviour:
      "The Linux managed run command handler writes the script as script.sh (mode 0500) into a download directory it creates 0700 under /var/lib/waagent/run-command-handler, and runs `/bin/bash -c '<script path><unnamed parameters>'` with that directory as the working directory: the script's own shebang picks the interpreter. Unnamed parameters are appended to the command line, each after one space and unquoted; named parameters become environment variables.",
    consequence:
      "The deploy-time check (InVmCheck) passes the probe itself as the script, so its shebang `#!/usr/bin/env -S python3 -I` runs it isolated (no script directory, working directory, user site or PYTHON* variables on its path); every argument is one plain word. verify's RunShellScript does the same explicitly: a mktemp -d directory (0700), cd into it, python3 -I.",
    sources: [
      {
        ref: "Azure/run-command-handler-linux:internal/exec/exec.go@35f4f741bf3c8f67d6434b597940b8ceb4a3164c",
        date: "2024-04-02",
        quote:
          'command = exec.Command("/bin/bash", "-c", cmd) ... command.Dir = workdir ... commandArgs += " " + value ... err = os.Setenv(name, value)',
      },
      {
        ref: "Azure/run-command-handler-linux:internal/cmds/cmds.go@35f4f741bf3c8f67d6434b597940b8ceb4a3164c",
        date: "2024-04-02",
        quote: 'os.MkdirAll(dir, 0700) ... scriptFilePath = filepath.Join(dir, "script.sh")',
      },
      {
        ref: "https://www.gnu.org/software/coreutils/manual/html_node/env-invocation.html",
        date: "2025",
        quote: "#!/usr/bin/env -[v]S[option]… [name=value]… command [args]…",
      },
      {
        ref: "https://packages.ubuntu.com/fr/jammy/utils/coreutils",
        date: "2026",
        quote: "jammy (22.04LTS) ... coreutils (8.32-4.1ubuntu1.4 et autres)",
      },
      {
        ref: "https://docs.python.org/3/using/cmdline.html#cmdoption-I",
        date: "2025",
        quote:
          "sys.path contains neither the script's directory nor the user's site-packages directory. All PYTHON* environment variables are ignored, too.",
      },
    ],
    coveredBy: ["tests/probe/isolation.test.ts", "tests/probe/run-command.test.ts"],
    checked: CHECKED,
  },
  {
    id: "run-command-powershell-parameters",
    service: "compute",
    behaviour:
      "RunPowerShellScript passes each run command parameter {name, value} to the script as its named parameter, declared in the script's param block; values are strings only.",
    consequence:
      "verify's Windows script declares param([string]$VaultUri, ...) and hands the variables to vm-probe.ps1, so no value is ever inside script text (PowerShell also ends a '...' string at U+2018-U+201B, which single-quote escaping misses).",
    sources: [
      {
        ref: "https://learn.microsoft.com/powershell/module/az.compute/invoke-azvmruncommand",
        date: "2025",
        quote:
          "-CommandId 'RunPowerShellScript' -ScriptPath 'sample.ps1' -Parameter @{param1 = \"var1\"; param2 = \"var2\"} ... Var1 and var2 are defined as parameters in the sample.ps1. Parameter value can be string type only",
      },
    ],
    coveredBy: ["tests/scripts/verify/windows.test.ts"],
    checked: CHECKED,
  },
  {
    id: "cloud-keyvault-blob-dns-suffixes",
    service: "keyvault",
    behaviour:
      "A vault is https://NAME.vault.azure.net (Azure China: .vault.azure.cn, Azure US Government: .vault.usgovcloudapi.net), its token resource https://vault.azure.net (.cn, .usgovcloudapi.net); a storage account's blob service is https://NAME.blob.core.windows.net (.blob.core.chinacloudapi.cn, .blob.core.usgovcloudapi.net); ARM is management.azure.com (management.chinacloudapi.cn, management.usgovcloudapi.net).",
    variants: ["AzureCloud", "AzureChinaCloud", "AzureUSGovernment"],
    consequence:
      "Both probes send the VM's tokens and the storage key only to https://NAME<suffix>/ of one of these clouds (vault and blob of the same cloud, the blob host naming the storage account), and ask IMDS for that cloud's resources; loopback only while the test-only PROBE_CA_FILE is set. verify holds the outputs file to the same hosts.",
    sources: [
      {
        ref: "Azure/azure-cli:src/azure-cli-core/azure/cli/core/cloud.py@db5e7bc99fdf616cba5396f6787f34a3e0fc6325",
        date: "2025",
        quote:
          "storage_endpoint='core.usgovcloudapi.net', keyvault_dns='.vault.usgovcloudapi.net' ... resource_manager='https://management.usgovcloudapi.net/'",
      },
      {
        ref: "Azure/azure-powershell:src/Accounts/Accounts.Test/EnvironmentCmdletTestsExtension.cs@69f5414577ce05e7dac9ce14291ec347ddc4a6c2",
        date: "2024",
        quote:
          'Name = "AzureUSGovernment", ... ResourceManagerUrl = "https://management.usgovcloudapi.net/", ... StorageEndpointSuffix = "core.usgovcloudapi.net", ... AzureKeyVaultDnsSuffix = "vault.usgovcloudapi.net", ... AzureKeyVaultServiceEndpointResourceId = "https://vault.usgovcloudapi.net"',
      },
      {
        ref: "Azure/azure-powershell:src/Accounts/Accounts.Test/EnvironmentCmdletTestsExtension.cs@69f5414577ce05e7dac9ce14291ec347ddc4a6c2",
        date: "2024",
        quote:
          'Name = "AzureChinaCloud", ... ResourceManagerUrl = "https://management.chinacloudapi.cn/", ... StorageEndpointSuffix = "core.chinacloudapi.cn", ... AzureKeyVaultDnsSuffix = "vault.azure.cn", ... AzureKeyVaultServiceEndpointResourceId = "https://vault.azure.cn"',
      },
    ],
    coveredBy: ["tests/probe/hosts.test.ts", "tests/scripts/verify/inputs.test.ts"],
    checked: CHECKED,
  },
  {
    id: "run-command-action-async-poll",
    service: "compute",
    behaviour:
      "POST .../virtualMachines/{vm}/runCommand answers 202 Accepted with a Location header naming .../providers/Microsoft.Compute/locations/{location}/operations/{id}, the Location one with monitor=true; the client polls it until the command ends. Compute sends a Retry-After on its long-running operations; no source found gives the value it sends for run command.",
    consequence:
      "The twin answers the POST 202 with a Location in that shape (and an Azure-AsyncOperation header, which clients prefer), and verify's poller follows them. The twin's Retry-After of 1 s on every poll is its own choice, not a value Azure was seen to send: no public response quoting it was found, so the twin does not go lower, and a verify run against it waits at least 1 s.",
    sources: [
      {
        ref: "Azure/azure-cli#32286",
        date: "2025-10-20",
        quote:
          "\"POST /subscriptions/my-sub/resourceGroups/my-rg/providers/Microsoft.Compute/virtualMachines/my-vm/runCommand?api-version=2024-11-01 HTTP/1.1\" 202 0 ... 'Location': 'https://management.azure.com/subscriptions/my-sub/providers/Microsoft.Compute/locations/uksouth/operations/008ed18d-...?p=...&monitor=true&api-version=2024-11-01",
      },
      {
        ref: "Azure/azure-rest-api-specs:specification/compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2025-04-01/examples/runCommandExamples/VirtualMachineRunCommand.json@f2a212d2baf9f715a45703d1fb9940f68521ac8a",
        date: "2025",
        quote:
          '"202": { "headers": { "Location": ".../providers/Microsoft.Compute/locations/westus/operations/{operationId}&monitor=true&api-version=2024-11-01" } }',
      },
      {
        ref: "Azure/azure-sdk-for-net#21196",
        date: "2021-05-20",
        quote: "The current Compute service does send a pretty generous Retry-After header on LRO operations",
      },
    ],
    coveredBy: ["tests/twin.test.ts"],
    checked: CHECKED,
  },
];
