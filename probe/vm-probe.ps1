<#
vm-probe.ps1: the PowerShell twin of vm-probe.py, for Windows seats. From inside a lab VM and with the VM's own
managed identity it proves that the identity can get and set Key Vault secrets (and read back what it set), cannot
list them, and can call storage listKeys and use the key. Same arguments, same checks in the same order, same JSON,
same retries.

Windows PowerShell 5.1, nothing installed: Invoke-WebRequest -UseBasicParsing, .NET for SHA-256 and HMAC-SHA256.

Arguments (as the Python probe's flags, or as PowerShell named parameters, which run command passes on Windows):
  --vault-uri | -VaultUri URL          https://NAME.vault.azure.net/
  --secret | -Secret NAME              the canary secret to read; the probe writes NAME-probe
  --storage-account-id | -StorageAccountId ID
  --blob-endpoint | -BlobEndpoint URL  https://NAME.blob.core.windows.net/
  --nonce | -Nonce TEXT                what NAME-probe is set to (default: random)
  --deadline-seconds | -DeadlineSeconds N   how long to keep retrying (default 600)

stdout: exactly one JSON object {"ok": bool, "checks": [{"name", "ok", "status", "detail", "attempts", "seconds"}]}.
stderr: progress lines. Neither ever carries a secret value or a key: only lengths and short SHA-256 prefixes.
Exit code: 0 when every check is ok, 1 otherwise, 2 for bad arguments.

The VM's tokens and the storage key go only to the Key Vault and Blob hosts of one Azure cloud ($CLOUDS), over https.

Test-only overrides (production uses the defaults): PROBE_IMDS_URL (http://169.254.169.254),
PROBE_ARM_URL (the cloud's ARM endpoint), PROBE_CA_FILE (an extra CA certificate to trust for HTTPS). Only while
PROBE_CA_FILE is set may any endpoint be a loopback address (127.0.0.1, ::1, localhost): the local twin; and only then
may PROBE_BACKOFF_FIRST shorten the first retry's wait (0.5 s), so tests of retries do not wait as long as a VM does.
#>
# ---- strict mode, constants: API versions, token resources, retry pacing, what a refusal means -----------------------
Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$CHECKS = @('vault-token', 'secret-get', 'secret-set', 'secret-list-denied', 'arm-token', 'storage-listkeys', 'storage-data')
$IMDS_API = '2018-02-01'
$KEYVAULT_API = '7.4'
$STORAGE_ARM_API = '2024-01-01'
$BLOB_API = '2021-08-06'
$VAULT_RESOURCE = 'https://vault.azure.net'
$ARM_RESOURCE = 'https://management.azure.com/'
$STORAGE_ACCOUNT_ID = '\A/subscriptions/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/resourceGroups/[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()]/providers/Microsoft\.Storage/storageAccounts/[a-z0-9]{3,24}\z'
$REQUEST_TIMEOUT = 30
$BACKOFF_FIRST = 0.5
$BACKOFF_CAP = 30.0
$DETAIL_MAX = 300
# A 403 on list proves the identity may not list only when Key Vault refused the permission. The inner code varies
# (AccessDenied and ForbiddenByPolicy under access policies, ForbiddenByRbac under RBAC, others), so any inner code
# passes except the network's own two, and a 403 with no inner code passes unless its message is a network refusal.
$DENIED_BY_MODEL = @{ 'AccessDenied' = 'access policy'; 'ForbiddenByPolicy' = 'access policy'; 'ForbiddenByRbac' = 'RBAC' }
$NETWORK_REFUSALS = @{
    'ForbiddenByFirewall' = "the vault's firewall refused this client's address"
    'ForbiddenByConnection' = 'the vault takes no public network connection and this one is no approved private link'
}
$NETWORK_MESSAGES = @('client address is not authorized', 'public network access is disabled', 'approved private link')

# ---- what may be shown: lengths and short hashes, never a value; usage errors ----------------------------------------
function Write-Log([string]$Message) {
    [Console]::Error.WriteLine("vm-probe: $Message")
}

function Get-ShortHash([byte[]]$Bytes) {
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try { $hash = $sha.ComputeHash($Bytes) } finally { $sha.Dispose() }
    return (($hash | ForEach-Object { $_.ToString('x2') }) -join '').Substring(0, 8)
}

# How a secret value is shown: its length and a short hash, never the value.
function Get-Description([string]$Value) {
    return ('{0} chars, sha256 {1}' -f $Value.Length, (Get-ShortHash ([System.Text.Encoding]::UTF8.GetBytes($Value))))
}

function New-Outcome([bool]$Ok, [string]$Detail, $Status = $null, [bool]$Retry = $false, $RetryAfter = $null, $Data = $null) {
    return [pscustomobject]@{ Ok = $Ok; Detail = $Detail; Status = $Status; Retry = $Retry; RetryAfter = $RetryAfter; Data = $Data }
}

function Fail-Usage([string]$Message) {
    [Console]::Error.WriteLine("vm-probe: error: $Message")
    exit 2
}

function Test-Loopback([string]$HostName) {
    if ($HostName -eq 'localhost') { return $true }
    $ip = $null
    if ([System.Net.IPAddress]::TryParse($HostName.Trim('[', ']'), [ref]$ip)) { return [System.Net.IPAddress]::IsLoopback($ip) }
    return $false
}

# ---- where tokens and keys may go: the same table and rule as vm-probe's CLOUDS ----------------------------------
# Each Azure cloud's Key Vault and Blob DNS suffixes, Key Vault token resource and ARM endpoint. Sources: azure-cli's
# KNOWN_CLOUDS (azure-cli-core cloud.py), and Microsoft's developer guides for Azure Government and Azure China.
$CLOUDS = [ordered]@{
    AzureCloud = @{ vault = '.vault.azure.net'; blob = '.blob.core.windows.net'; vault_resource = $VAULT_RESOURCE; arm = $ARM_RESOURCE.TrimEnd('/') }
    AzureChinaCloud = @{ vault = '.vault.azure.cn'; blob = '.blob.core.chinacloudapi.cn'; vault_resource = 'https://vault.azure.cn'; arm = 'https://management.chinacloudapi.cn' }
    AzureUSGovernment = @{ vault = '.vault.usgovcloudapi.net'; blob = '.blob.core.usgovcloudapi.net'; vault_resource = 'https://vault.usgovcloudapi.net'; arm = 'https://management.usgovcloudapi.net' }
}
# https://NAME<suffix>/ on the default port, nothing else: no user info, port, path, query or fragment.
$CLOUD_URL = '^https://([a-z0-9-]{3,24})(\.[a-z0-9.]+?)(?::443)?/?\z'
$VAULT_NAME = '^[a-z][a-z0-9-]{1,22}[a-z0-9]\z'
$ACCOUNT_NAME = '^[a-z0-9]{3,24}\z'
# The local twin, tests only: a loopback host, any port, a plain path.
$LOOPBACK_URL = '^(https?)://(127\.0\.0\.1|localhost|\[::1\])(?::[0-9]{1,5})?(?:/[A-Za-z0-9._-]+)*/?\z'
$IMDS_URL = 'http://169.254.169.254'
# Loopback endpoints only while the test-only PROBE_CA_FILE is set: no flag or parameter turns them on.
$testMode = [bool][Environment]::GetEnvironmentVariable('PROBE_CA_FILE')

# The cloud whose $Kind ('vault' or 'blob') host $Value is, 'loopback' for the twin, or $null when refused.
function Get-EndpointCloud([string]$Value, [string]$Kind) {
    # Printable ASCII only: no look-alike letters, spaces or controls.
    if ($Value -cmatch '[^\x21-\x7e]') { return $null }
    $m = [regex]::Match($Value, $CLOUD_URL, [System.Text.RegularExpressions.RegexOptions]::IgnoreCase)
    if ($m.Success) {
        $name = $m.Groups[1].Value
        $suffix = $m.Groups[2].Value.ToLowerInvariant()
        if ($Kind -eq 'vault') { $valid = ($name -match $VAULT_NAME) -and -not $name.Contains('--') } else { $valid = $name -match $ACCOUNT_NAME }
        foreach ($c in $CLOUDS.Keys) {
            if ($valid -and $suffix -ceq $CLOUDS[$c][$Kind]) { return $c }
        }
        return $null
    }
    $m = [regex]::Match($Value, $LOOPBACK_URL)
    if ($m.Success -and $testMode -and ($m.Groups[1].Value -ceq 'https' -or $Kind -eq 'blob')) { return 'loopback' }
    return $null
}

function Get-EndpointError([string]$Flag, [string]$Value, [string]$Kind) {
    $suffixes = ($CLOUDS.Values | ForEach-Object { 'https://NAME' + $_[$Kind] + '/' }) -join ' or '
    $http = ''
    if ($Kind -eq 'blob') { $http = ' (http:// only on a loopback address, for tests)' }
    return ("{0} '{1}': expected an https:// URL, {2}{3}; a loopback address only while PROBE_CA_FILE is set" -f $Flag, $Value, $suffixes, $http)
}

# ---- arguments: the Python probe's flags, or PowerShell-style named parameters -----------------------------------
# Each option's PowerShell name; its Python flag is the same words in kebab case (VaultUri: --vault-uri).
$OPTION_NAMES = @('VaultUri', 'Secret', 'StorageAccountId', 'BlobEndpoint', 'Nonce', 'DeadlineSeconds')
$FLAGS = @{}
foreach ($n in $OPTION_NAMES) {
    $FLAGS['--' + ($n -creplace '([a-z])([A-Z])', '$1-$2').ToLowerInvariant()] = $n
    $FLAGS['-' + $n.ToLowerInvariant()] = $n
}
$opt = @{ VaultUri = $null; Secret = $null; StorageAccountId = $null; BlobEndpoint = $null; Nonce = $null; DeadlineSeconds = '600' }
for ($i = 0; $i -lt $args.Count; $i++) {
    $flag = [string]$args[$i]
    $key = $FLAGS[$flag.ToLowerInvariant()]
    if (-not $key) { Fail-Usage ("unrecognized argument: {0}" -f $flag) }
    if ($i + 1 -ge $args.Count) { Fail-Usage ("argument {0}: expected one argument" -f $flag) }
    $i++
    $opt[$key] = [string]$args[$i]
}
foreach ($required in @(@('--vault-uri', 'VaultUri'), @('--secret', 'Secret'), @('--storage-account-id', 'StorageAccountId'), @('--blob-endpoint', 'BlobEndpoint'))) {
    if ($null -eq $opt[$required[1]]) { Fail-Usage ("the following arguments are required: {0}" -f $required[0]) }
}
$vaultCloud = Get-EndpointCloud $opt.VaultUri 'vault'
if ($null -eq $vaultCloud) { Fail-Usage (Get-EndpointError '--vault-uri' $opt.VaultUri 'vault') }
$blobCloud = Get-EndpointCloud $opt.BlobEndpoint 'blob'
if ($null -eq $blobCloud) { Fail-Usage (Get-EndpointError '--blob-endpoint' $opt.BlobEndpoint 'blob') }
if ($vaultCloud -ne 'loopback' -and $blobCloud -ne 'loopback' -and $vaultCloud -ne $blobCloud) {
    Fail-Usage ("--blob-endpoint '{0}': expected the blob endpoint of the vault's cloud ({1}), not of {2}" -f $opt.BlobEndpoint, $vaultCloud, $blobCloud)
}
$cloudName = 'AzureCloud'
if ($vaultCloud -ne 'loopback') { $cloudName = $vaultCloud } elseif ($blobCloud -ne 'loopback') { $cloudName = $blobCloud }
$cloud = $CLOUDS[$cloudName]
if ($opt.Secret -notmatch '^[A-Za-z0-9-]{1,121}$') {
    Fail-Usage ("--secret '{0}': expected 1-121 letters, digits and hyphens (a Key Vault secret name; the probe adds -probe)" -f $opt.Secret)
}
# The id becomes the path of the ARM URL the VM's ARM token is sent to: only an exact storage account id will do
# (case-sensitive, ASCII only, \z so no trailing newline; RG as ARM's resourceGroupName allows, NAME as Storage does).
if ($opt.StorageAccountId -cnotmatch $STORAGE_ACCOUNT_ID) {
    Fail-Usage ("--storage-account-id '{0}': expected /subscriptions/GUID/resourceGroups/RG/providers/Microsoft.Storage/storageAccounts/NAME (RG: 1-90 letters, digits, _ . ( ) -, not ending in '.'; NAME: 3-24 lowercase letters and digits)" -f $opt.StorageAccountId)
}
$parts = $opt.StorageAccountId.Trim('/').Split('/')
if ($blobCloud -ne 'loopback' -and $opt.BlobEndpoint.Split('/')[2].Split('.')[0] -ne $parts[7]) {
    Fail-Usage ("--blob-endpoint '{0}': expected the blob endpoint of the account {1} in --storage-account-id" -f $opt.BlobEndpoint, $parts[7])
}
$deadlineSeconds = 0.0
if (-not [double]::TryParse($opt.DeadlineSeconds, [System.Globalization.NumberStyles]::Float, [System.Globalization.CultureInfo]::InvariantCulture, [ref]$deadlineSeconds) -or -not ($deadlineSeconds -gt 0)) {
    Fail-Usage ("--deadline-seconds {0}: expected a number of seconds above 0" -f $opt.DeadlineSeconds)
}
if ($null -eq $opt.Nonce) {
    $bytes = New-Object byte[] 16
    [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($bytes)
    $opt.Nonce = ($bytes | ForEach-Object { $_.ToString('x2') }) -join ''
} elseif ($opt.Nonce.Length -lt 1 -or $opt.Nonce.Length -gt 200) {
    Fail-Usage '--nonce: expected 1-200 characters'
}

# ---- the test-only overrides, and the run's state --------------------------------------------------------------------
function Get-EnvOr([string]$Name, [string]$Default) {
    $v = [Environment]::GetEnvironmentVariable($Name)
    if ($v) { return $v }
    return $Default
}
$imds = (Get-EnvOr 'PROBE_IMDS_URL' $IMDS_URL).TrimEnd('/')
$arm = (Get-EnvOr 'PROBE_ARM_URL' $cloud.arm).TrimEnd('/')
# The test-only overrides may only name the real endpoint, or a loopback address while PROBE_CA_FILE is set.
foreach ($override in @(@('PROBE_ARM_URL', $arm, $cloud.arm), @('PROBE_IMDS_URL', $imds, $IMDS_URL))) {
    if ($override[1] -cne $override[2] -and -not ($testMode -and [regex]::Match($override[1], $LOOPBACK_URL).Success)) {
        [Console]::Error.WriteLine(("vm-probe: {0} '{1}': expected {2} (loopback only while PROBE_CA_FILE is set, for tests)" -f $override[0], $override[1], $override[2]))
        exit 2
    }
}
# Tests may shorten the first retry's wait: only while PROBE_CA_FILE is set, and never beyond the VM's.
$backoffFirst = $BACKOFF_FIRST
$backoffText = [Environment]::GetEnvironmentVariable('PROBE_BACKOFF_FIRST')
if ($null -ne $backoffText) {
    $b = 0.0
    if (-not ($testMode -and [double]::TryParse($backoffText, [System.Globalization.NumberStyles]::Float, [System.Globalization.CultureInfo]::InvariantCulture, [ref]$b) -and $b -gt 0 -and $b -le $BACKOFF_FIRST)) {
        [Console]::Error.WriteLine(("vm-probe: PROBE_BACKOFF_FIRST '{0}': expected seconds above 0, at most {1} (only while PROBE_CA_FILE is set, for tests)" -f $backoffText, $BACKOFF_FIRST.ToString([System.Globalization.CultureInfo]::InvariantCulture)))
        exit 2
    }
    $backoffFirst = $b
}
$caFile = [Environment]::GetEnvironmentVariable('PROBE_CA_FILE')
$vault = $opt.VaultUri.TrimEnd('/')
$blob = $opt.BlobEndpoint.TrimEnd('/')
$account = $opt.StorageAccountId.TrimEnd('/').Split('/')[-1]
$deadline = [DateTime]::UtcNow.AddSeconds($deadlineSeconds)
$results = [ordered]@{}
$state = @{}

# ---- TLS and HTTP: any status comes back as an object, never as an exception -----------------------------------------
# An extra CA for tests (the twin's): Windows PowerShell 5.1 trusts it through the chain-validation callback; newer
# PowerShell, which ignores that callback, only on a loopback address (the twin), never for Azure's endpoints.
$tlsExtra = @{}
if ($caFile) {
    $ca = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList $caFile
    if ($PSVersionTable.PSVersion.Major -ge 6) {
        $tlsExtra = @{ SkipCertificateCheck = $true }
    } else {
        [System.Net.ServicePointManager]::ServerCertificateValidationCallback = {
            param($sender, $cert, $chain, $errors)
            if ($errors -eq [System.Net.Security.SslPolicyErrors]::None) { return $true }
            $c = New-Object System.Security.Cryptography.X509Certificates.X509Chain
            $c.ChainPolicy.RevocationMode = 'NoCheck'
            $c.ChainPolicy.VerificationFlags = 'AllowUnknownCertificateAuthority'
            [void]$c.ChainPolicy.ExtraStore.Add($ca)
            return $c.Build($cert) -and $c.ChainElements[$c.ChainElements.Count - 1].Certificate.Thumbprint -eq $ca.Thumbprint
        }.GetNewClosure()
    }
}
[System.Net.ServicePointManager]::SecurityProtocol = [System.Net.SecurityProtocolType]::Tls12

function Get-Timeout {
    $left = ($deadline - [DateTime]::UtcNow).TotalSeconds + 1
    return [int][Math]::Max(1, [Math]::Min($REQUEST_TIMEOUT, $left))
}

# One HTTP request; any status comes back as an object (Status, Headers, Body), never as an exception.
function Invoke-Http([string]$Method, [string]$Url, [hashtable]$Headers = @{}, $Body = $null, [string]$ContentType = $null) {
    $params = @{ Method = $Method; Uri = $Url; Headers = $Headers; UseBasicParsing = $true; TimeoutSec = (Get-Timeout) }
    if ($null -ne $Body) { $params.Body = $Body }
    if ($ContentType) { $params.ContentType = $ContentType }
    $u = [System.Uri]$Url
    if ($tlsExtra.Count -gt 0 -and $u.Scheme -eq 'https' -and (Test-Loopback $u.Host)) { $params += $tlsExtra }
    try {
        $r = Invoke-WebRequest @params
        $bytes = $r.RawContentStream.ToArray()
        return [pscustomobject]@{ Status = [int]$r.StatusCode; Headers = $r.Headers; Body = [System.Text.Encoding]::UTF8.GetString($bytes); Bytes = $bytes }
    } catch {
        $resp = $null
        if ($_.Exception.PSObject.Properties['Response']) { $resp = $_.Exception.Response }
        if ($null -eq $resp) { throw }
        $text = ''
        if ($_.ErrorDetails -and $_.ErrorDetails.Message) {
            $text = $_.ErrorDetails.Message
        } elseif ($resp -is [System.Net.HttpWebResponse]) {
            $reader = New-Object System.IO.StreamReader -ArgumentList $resp.GetResponseStream()
            try { $text = $reader.ReadToEnd() } finally { $reader.Dispose() }
        }
        $hdrs = @{}
        if ($resp -is [System.Net.HttpWebResponse]) {
            foreach ($k in $resp.Headers.AllKeys) { $hdrs[$k] = $resp.Headers[$k] }
        } else {
            foreach ($h in $resp.Headers) { $hdrs[$h.Key] = ($h.Value -join ',') }
        }
        return [pscustomobject]@{ Status = [int]$resp.StatusCode; Headers = $hdrs; Body = $text; Bytes = [System.Text.Encoding]::UTF8.GetBytes($text) }
    }
}

# ---- reading Azure's answers: JSON bodies, error codes, Key Vault refusals, Retry-After ------------------------------
function Get-Header($Response, [string]$Name) {
    foreach ($k in @($Response.Headers.Keys)) { if ($k -eq $Name) { return [string]($Response.Headers[$k] -join ',') } }
    return $null
}

# The body as a JSON object, or $null when it is not one (a malformed answer is a failure, not a crash).
function ConvertFrom-Body($Response) {
    try { $v = $Response.Body | ConvertFrom-Json } catch { return $null }
    if ($v -is [System.Management.Automation.PSCustomObject]) { return $v }
    return $null
}

function Get-Member-Value($Object, [string]$Name) {
    if ($null -ne $Object -and $Object.PSObject.Properties[$Name]) { return $Object.$Name }
    return $null
}

# Azure's error code, from any of its error shapes (ARM/Key Vault {"error":{"code"}}, IMDS {"error"}).
function Get-ErrorCode($Response) {
    $body = ConvertFrom-Body $Response
    $err = Get-Member-Value $body 'error'
    if ($err -is [System.Management.Automation.PSCustomObject]) {
        $code = [string](Get-Member-Value $err 'code')
        $inner = Get-Member-Value (Get-Member-Value $err 'innererror') 'code'
        if ($inner) { return "$code/$inner" }
        return $code
    }
    if ($err -is [string]) {
        $desc = Get-Member-Value $body 'error_description'
        if ($desc) { return "${err}: $desc" }
        return $err
    }
    $storage = Get-Header $Response 'x-ms-error-code'
    if ($storage) { return $storage }
    return ''
}

# (inner code or '', message) of Key Vault's 403 body {"error":{"code":"Forbidden",...}}; $null if it is not one.
function Get-KvRefusal($Response) {
    $err = Get-Member-Value (ConvertFrom-Body $Response) 'error'
    if (-not ($err -is [System.Management.Automation.PSCustomObject]) -or [string](Get-Member-Value $err 'code') -cne 'Forbidden') { return $null }
    $inner = [string](Get-Member-Value (Get-Member-Value $err 'innererror') 'code')
    return [pscustomobject]@{ Inner = $inner; Message = [string](Get-Member-Value $err 'message') }
}

function Get-Summary($Response) {
    $code = Get-ErrorCode $Response
    if ($code) { return ('HTTP {0} {1}' -f $Response.Status, $code) }
    return ('HTTP {0}' -f $Response.Status)
}

# Retry-After as seconds (delta-seconds or HTTP-date), or $null.
function Get-RetryAfter($Response) {
    $value = Get-Header $Response 'Retry-After'
    if (-not $value) { return $null }
    $n = 0.0
    if ([double]::TryParse($value, [System.Globalization.NumberStyles]::Float, [System.Globalization.CultureInfo]::InvariantCulture, [ref]$n)) { return [Math]::Max(0.0, $n) }
    $d = [DateTime]::MinValue
    if ([DateTime]::TryParse($value, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::AdjustToUniversal, [ref]$d)) { return [Math]::Max(0.0, ($d - [DateTime]::UtcNow).TotalSeconds) }
    return $null
}

# 429 and 5xx: Azure is busy or failing; another attempt may succeed.
function New-Transient($Response, [string]$Detail) {
    return New-Outcome $false $Detail $Response.Status $true (Get-RetryAfter $Response)
}

# ---- the retry loop ---------------------------------------------------------------------------------------------
# $Argument goes to the attempt (the token's resource); no closures: they would not see this script's functions.
function Invoke-Check([string]$Name, [scriptblock]$Attempt, $Argument = $null) {
    $started = [DateTime]::UtcNow
    $attempts = 0
    $random = New-Object System.Random
    while ($true) {
        $attempts++
        try {
            $outcome = & $Attempt $Argument
        } catch [System.Security.Authentication.AuthenticationException] {
            # An untrusted certificate does not fix itself: fail now.
            $outcome = New-Outcome $false ('TLS certificate not trusted: {0}' -f $_.Exception.Message)
        } catch {
            $e = $_.Exception
            while ($e.InnerException) {
                if ($e -is [System.Security.Authentication.AuthenticationException]) { break }
                $e = $e.InnerException
            }
            if ($e -is [System.Security.Authentication.AuthenticationException] -or $e.Message -match 'trust relationship|certificate') {
                $outcome = New-Outcome $false ('TLS certificate not trusted: {0}' -f $e.Message)
            } else {
                # Connection refused, reset, timeout: the network path may come up later.
                $outcome = New-Outcome $false ('connection error: {0}: {1}' -f $e.GetType().Name, $e.Message) -Retry $true
            }
        }
        if ($outcome.Ok -or -not $outcome.Retry) { break }
        $remaining = ($deadline - [DateTime]::UtcNow).TotalSeconds
        if ($remaining -le 0) {
            $outcome.Detail += ('; gave up after {0} attempts: the deadline of {1}s ran out' -f $attempts, $deadlineSeconds)
            break
        }
        $backoff = [Math]::Min($BACKOFF_CAP, $backoffFirst * [Math]::Pow(2, $attempts - 1)) * (0.8 + 0.4 * $random.NextDouble())
        $wait = $backoff
        if ($null -ne $outcome.RetryAfter) { $wait = $outcome.RetryAfter }
        $wait = [Math]::Min($remaining, $wait)
        Write-Log ('{0}: attempt {1}: {2}; retrying in {3}s' -f $Name, $attempts, $outcome.Detail, $wait.ToString('0.0', [System.Globalization.CultureInfo]::InvariantCulture))
        Start-Sleep -Milliseconds ([int]($wait * 1000))
    }
    $status = 'failed'
    if ($outcome.Ok) { $status = 'passed' }
    $results[$Name] = [ordered]@{ name = $Name; ok = [bool]$outcome.Ok; status = $status; detail = $outcome.Detail; attempts = $attempts; seconds = [Math]::Round(([DateTime]::UtcNow - $started).TotalSeconds, 2) }
    if ($outcome.Ok -and $null -ne $outcome.Data) { $state[$Name] = $outcome.Data }
    $verdict = 'FAILED'
    if ($outcome.Ok) { $verdict = 'ok' }
    Write-Log ('{0}: {1} ({2})' -f $Name, $verdict, $outcome.Detail)
    return [bool]$outcome.Ok
}

function Skip-Check([string]$Name, [string]$Reason) {
    $results[$Name] = [ordered]@{ name = $Name; ok = $false; status = 'skipped'; detail = "skipped: $Reason"; attempts = 0; seconds = 0.0 }
    Write-Log ('{0}: skipped ({1})' -f $Name, $Reason)
}

# ---- IMDS -------------------------------------------------------------------------------------------------------
$tokenAttempt = {
    param([string]$Resource)
    $url = '{0}/metadata/identity/oauth2/token?api-version={1}&resource={2}' -f $imds, $IMDS_API, [System.Uri]::EscapeDataString($Resource)
    $r = Invoke-Http 'GET' $url @{ Metadata = 'true' }
    if ($r.Status -eq 200) {
        $body = ConvertFrom-Body $r
        $token = Get-Member-Value $body 'access_token'
        if (-not ($token -is [string]) -or -not $token) {
            return New-Outcome $false ('IMDS answered 200 but not with a token (the body is not JSON with access_token: {0} bytes)' -f $r.Bytes.Length) 200
        }
        $expires = Get-Member-Value $body 'expires_in'
        if ($null -eq $expires) { $expires = '?' }
        return New-Outcome $true ('token for {0} (expires in {1}s)' -f $Resource, $expires) 200 -Data $token
    }
    $detail = 'IMDS {0}' -f (Get-Summary $r)
    if ($r.Status -eq 400 -and (Get-ErrorCode $r).ToLowerInvariant().Contains('identity not found')) {
        # The VM's identity is still being set up, or it has none: retry until the deadline.
        return New-Outcome $false ($detail + ' (does the VM have a system-assigned identity?)') 400 $true
    }
    if (@(404, 410, 429) -contains $r.Status -or $r.Status -ge 500) { return New-Transient $r $detail }
    return New-Outcome $false $detail $r.Status
}

# ---- Key Vault --------------------------------------------------------------------------------------------------
function Invoke-Kv([string]$Method, [string]$Path, $Body = $null) {
    $sep = '?'
    if ($Path.Contains('?')) { $sep = '&' }
    $headers = @{ Authorization = 'Bearer ' + $state['vault-token'] }
    $json = $null
    $type = $null
    if ($null -ne $Body) {
        $json = [System.Text.Encoding]::UTF8.GetBytes(($Body | ConvertTo-Json -Compress -Depth 4))
        $type = 'application/json'
    }
    return Invoke-Http $Method ('{0}{1}{2}api-version={3}' -f $vault, $Path, $sep, $KEYVAULT_API) $headers $json $type
}

function New-KvDenial($Response, [string]$What) {
    $detail = '{0}: Key Vault {1}' -f $What, (Get-Summary $Response)
    if ($Response.Status -eq 403) {
        # Network rules, access policies and role assignments take a while to reach every Key Vault node.
        $refusal = Get-KvRefusal $Response
        $hint = ' (no permission yet?)'
        if ($null -ne $refusal -and $refusal.Inner -and $NETWORK_REFUSALS.ContainsKey($refusal.Inner)) { $hint = " (the vault's network rules refused this client)" }
        return New-Outcome $false ($detail + $hint) 403 $true (Get-RetryAfter $Response)
    }
    if ($Response.Status -eq 429 -or $Response.Status -ge 500) { return New-Transient $Response $detail }
    return New-Outcome $false $detail $Response.Status
}

$secretGet = {
    $name = $opt.Secret
    $r = Invoke-Kv 'GET' ('/secrets/{0}' -f [System.Uri]::EscapeDataString($name))
    if ($r.Status -ne 200) { return New-KvDenial $r "get $name" }
    $value = Get-Member-Value (ConvertFrom-Body $r) 'value'
    if (-not ($value -is [string])) {
        return New-Outcome $false ('get {0}: Key Vault answered 200 with a malformed body ({1} bytes, not a SecretBundle)' -f $name, $r.Bytes.Length) 200
    }
    return New-Outcome $true ('read {0}: {1}' -f $name, (Get-Description $value)) 200
}

# Writes the nonce to <secret>-probe, then reads that version back: the read-back's hash is what verify checks.
$secretSet = {
    $name = $opt.Secret + '-probe'
    $value = $opt.Nonce
    $written = $state['secret-set-version']
    if ($null -eq $written) {
        $r = Invoke-Kv 'PUT' ('/secrets/{0}' -f [System.Uri]::EscapeDataString($name)) ([ordered]@{ value = $value; contentType = 'text/plain'; tags = @{ writtenBy = 'vm-probe' } })
        if ($r.Status -ne 200) { return New-KvDenial $r "set $name" }
        $sid = Get-Member-Value (ConvertFrom-Body $r) 'id'
        if (-not ($sid -is [string])) {
            return New-Outcome $false ('set {0}: Key Vault answered 200 with a malformed body ({1} bytes, not a SecretBundle)' -f $name, $r.Bytes.Length) 200
        }
        $written = $sid.TrimEnd('/').Split('/')[-1]
        # A retry only reads back: another PUT would write another version.
        $state['secret-set-version'] = $written
    }
    $what = 'wrote {0} version {1}: {2}' -f $name, $written, (Get-Description $value)
    $r = Invoke-Kv 'GET' ('/secrets/{0}/{1}' -f [System.Uri]::EscapeDataString($name), [System.Uri]::EscapeDataString($written))
    if ($r.Status -ne 200) {
        $failed = New-KvDenial $r ('read back {0} version {1}' -f $name, $written)
        $failed.Detail = '{0}; {1}' -f $what, $failed.Detail
        return $failed
    }
    $got = Get-Member-Value (ConvertFrom-Body $r) 'value'
    if (-not ($got -is [string])) {
        return New-Outcome $false ('{0}; read back: Key Vault answered 200 with a malformed body ({1} bytes)' -f $what, $r.Bytes.Length) 200
    }
    if ($got -cne $value) {
        return New-Outcome $false ('{0}; read back: {1}, which is NOT what was written' -f $what, (Get-Description $got)) 200
    }
    return New-Outcome $true ('{0}; read back: {1}' -f $what, (Get-Description $got)) 200
}

$secretListDenied = {
    $r = Invoke-Kv 'GET' '/secrets?maxresults=1'
    if ($r.Status -eq 403) {
        $refusal = Get-KvRefusal $r
        if ($null -eq $refusal) {
            # Not Key Vault's own refusal (a proxy's page, say): it says nothing about the identity's grants.
            return New-Outcome $false ("list secrets: HTTP 403 that is not Key Vault's error body ({0} bytes): proves nothing about the identity's permission" -f $r.Bytes.Length) 403
        }
        $network = $null
        if ($refusal.Inner -and $NETWORK_REFUSALS.ContainsKey($refusal.Inner)) {
            $network = $NETWORK_REFUSALS[$refusal.Inner]
        } elseif (-not $refusal.Inner) {
            foreach ($m in $NETWORK_MESSAGES) { if ($refusal.Message.ToLowerInvariant().Contains($m)) { $network = "the vault's network rules refused this client" } }
        }
        if ($null -ne $network) {
            return New-Outcome $false ("list secrets: Key Vault {0}: the network refused the list ({1}), which proves nothing about the identity's permission" -f (Get-Summary $r), $network) 403
        }
        if ($refusal.Inner -and $DENIED_BY_MODEL.ContainsKey($refusal.Inner)) {
            $why = '{0} refusal, inner code {1}' -f $DENIED_BY_MODEL[$refusal.Inner], $refusal.Inner
        } elseif ($refusal.Inner) {
            $why = 'inner code {0}' -f $refusal.Inner
        } else {
            $why = 'no inner code: {0}' -f $refusal.Message.Substring(0, [Math]::Min(80, $refusal.Message.Length))
        }
        return New-Outcome $true ('list secrets: Key Vault {0}, as it must be: the identity cannot list ({1})' -f (Get-Summary $r), $why) 403
    }
    if ($r.Status -eq 200) {
        # Never retried away: a grant that allows listing is too broad, however long we wait.
        return New-Outcome $false "list secrets answered 200: the identity CAN list secrets; its grant is too broad (remove 'list' from the access policy, or readMetadata from the role)" 200
    }
    if ($r.Status -eq 429 -or $r.Status -ge 500) { return New-Transient $r ('list secrets: Key Vault {0}' -f (Get-Summary $r)) }
    return New-Outcome $false ('list secrets: Key Vault {0} (expected 403)' -f (Get-Summary $r)) $r.Status
}

# ---- ARM and storage --------------------------------------------------------------------------------------------
$listKeys = {
    $url = '{0}{1}/listKeys?api-version={2}' -f $arm, $opt.StorageAccountId.TrimEnd('/'), $STORAGE_ARM_API
    $r = Invoke-Http 'POST' $url @{ Authorization = 'Bearer ' + $state['arm-token'] } ([byte[]]@())
    $detail = 'listKeys: ARM {0}' -f (Get-Summary $r)
    if ($r.Status -eq 403) {
        # Role assignments take minutes to propagate.
        return New-Outcome $false ($detail + ' (no role assignment yet?)') 403 $true (Get-RetryAfter $r)
    }
    if ($r.Status -eq 429 -or $r.Status -ge 500) { return New-Transient $r $detail }
    if ($r.Status -ne 200) { return New-Outcome $false $detail $r.Status }
    $keys = @(Get-Member-Value (ConvertFrom-Body $r) 'keys' | Where-Object { $null -ne $_ -and (Get-Member-Value $_ 'value') -is [string] } | ForEach-Object { $_.value })
    if ($keys.Count -eq 0) { return New-Outcome $false ('listKeys answered 200 without any key ({0} bytes)' -f $r.Bytes.Length) 200 }
    return New-Outcome $true ('listKeys: {0} key(s); first: {1}' -f $keys.Count, (Get-Description $keys[0])) 200 -Data $keys[0]
}

# One Blob service request signed with Shared Key (https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key).
function Invoke-Blob([string]$Key, [string]$Method, [string]$Path, [hashtable]$Query = @{}, [byte[]]$Body = $null, [hashtable]$Extra = @{}) {
    $base = [System.Uri]$blob
    $urlPath = $base.AbsolutePath.TrimEnd('/') + $Path
    $headers = @{ 'x-ms-date' = [DateTime]::UtcNow.ToString('R'); 'x-ms-version' = $BLOB_API }
    $contentType = ''
    foreach ($k in $Extra.Keys) { if ($k -eq 'Content-Type') { $contentType = $Extra[$k] } else { $headers[$k] = $Extra[$k] } }
    $length = 0
    if ($null -ne $Body) { $length = $Body.Length }
    $canonicalHeaders = (@($headers.Keys | Where-Object { $_.StartsWith('x-ms-') } | Sort-Object) | ForEach-Object { '{0}:{1}' -f $_, ([string]$headers[$_]).Trim() }) -join "`n"
    $canonicalResource = '/{0}{1}' -f $account, $urlPath
    foreach ($k in @($Query.Keys | Sort-Object)) { $canonicalResource += "`n{0}:{1}" -f $k.ToLowerInvariant(), $Query[$k] }
    $lengthText = ''
    if ($length) { $lengthText = [string]$length }
    $toSign = (@($Method, '', '', $lengthText, '', $contentType, '', '', '', '', '', '') -join "`n") + "`n" + $canonicalHeaders + "`n" + $canonicalResource
    $hmac = New-Object System.Security.Cryptography.HMACSHA256 -ArgumentList (, [Convert]::FromBase64String($Key))
    try { $signature = [Convert]::ToBase64String($hmac.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($toSign))) } finally { $hmac.Dispose() }
    $headers['Authorization'] = 'SharedKey {0}:{1}' -f $account, $signature
    $qs = ''
    if ($Query.Count) { $qs = '?' + ((@($Query.Keys | Sort-Object) | ForEach-Object { '{0}={1}' -f [System.Uri]::EscapeDataString($_), [System.Uri]::EscapeDataString($Query[$_]) }) -join '&') }
    $url = '{0}://{1}{2}{3}' -f $base.Scheme, $base.Authority, $urlPath, $qs
    if ($null -eq $Body -and $Method -eq 'PUT') { $Body = [byte[]]@() }
    return Invoke-Http $Method $url $headers $Body $contentType
}

$storageData = {
    $key = $state['storage-listkeys']
    try { [void][Convert]::FromBase64String($key) } catch { return New-Outcome $false ('the key from listKeys is not base64 ({0})' -f (Get-Description $key)) }
    $rand = New-Object byte[] 22
    [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($rand)
    $hex = ($rand | ForEach-Object { $_.ToString('x2') }) -join ''
    $container = 'vm-probe-' + $hex.Substring(0, 12)
    $payload = [System.Text.Encoding]::UTF8.GetBytes(('vm-probe {0} {1}' -f $opt.Nonce, $hex.Substring(12)))
    $failed = {
        param([string]$Step, $Response)
        $detail = '{0}: Blob {1}' -f $Step, (Get-Summary $Response)
        if ($Response.Status -eq 403) { $detail += (' (does the key from listKeys work for {0}?)' -f $account) }
        if ($Response.Status -eq 429 -or $Response.Status -ge 500) { return New-Transient $Response $detail }
        return New-Outcome $false $detail $Response.Status
    }
    $r = Invoke-Blob $key 'PUT' ('/' + $container) @{ restype = 'container' }
    if ($r.Status -ne 201) { return & $failed ('create container {0}' -f $container) $r }
    try {
        $path = '/{0}/probe.txt' -f $container
        $r = Invoke-Blob $key 'PUT' $path @{} $payload @{ 'x-ms-blob-type' = 'BlockBlob'; 'Content-Type' = 'text/plain' }
        if ($r.Status -ne 201) { return & $failed 'put blob' $r }
        $r = Invoke-Blob $key 'GET' $path
        if ($r.Status -ne 200) { return & $failed 'get blob' $r }
        if ((Get-ShortHash $r.Bytes) -ne (Get-ShortHash $payload) -or $r.Bytes.Length -ne $payload.Length) {
            return New-Outcome $false ('the blob read back differs from the one written ({0} vs {1} bytes)' -f $r.Bytes.Length, $payload.Length) 200
        }
        $r = Invoke-Blob $key 'DELETE' $path
        if ($r.Status -ne 202) { return & $failed 'delete blob' $r }
    } finally {
        $cleanup = Invoke-Blob $key 'DELETE' ('/' + $container) @{ restype = 'container' }
        if ($cleanup.Status -ne 202) { Write-Log ('could not delete container {0}: Blob {1}' -f $container, (Get-Summary $cleanup)) }
    }
    return New-Outcome $true ('wrote, read back (sha256 match, {0} bytes) and deleted a blob in {1}, then deleted the container' -f $payload.Length, $container) 202
}

# ---- the run ----------------------------------------------------------------------------------------------------
try {
    $vaultOk = Invoke-Check 'vault-token' $tokenAttempt $cloud.vault_resource
    foreach ($pair in @(@('secret-get', $secretGet), @('secret-set', $secretSet), @('secret-list-denied', $secretListDenied))) {
        if ($vaultOk) { [void](Invoke-Check $pair[0] $pair[1]) } else { Skip-Check $pair[0] 'vault-token failed, so there is no token for Key Vault' }
    }
    if (Invoke-Check 'arm-token' $tokenAttempt ($cloud.arm + '/')) {
        if (Invoke-Check 'storage-listkeys' $listKeys) { [void](Invoke-Check 'storage-data' $storageData) }
        else { Skip-Check 'storage-data' 'storage-listkeys failed, so there is no key' }
    } else {
        Skip-Check 'storage-listkeys' 'arm-token failed, so there is no token for ARM'
        Skip-Check 'storage-data' 'arm-token failed, so there is no key'
    }
} catch {
    # The JSON report must still come out, never a stack trace.
    Write-Log ('internal error: {0}: {1}' -f $_.Exception.GetType().Name, $_.Exception.Message)
    foreach ($name in $CHECKS) {
        if (-not $results.Contains($name)) {
            $results[$name] = [ordered]@{ name = $name; ok = $false; status = 'failed'; detail = ('internal error: {0}: {1}' -f $_.Exception.GetType().Name, $_.Exception.Message); attempts = 0; seconds = 0.0 }
            break
        }
    }
}

# ---- the report: one JSON line on stdout -----------------------------------------------------------------------------
$checks = @(foreach ($name in $CHECKS) {
    $c = $results[$name]
    if ($null -eq $c) { $c = [ordered]@{ name = $name; ok = $false; status = 'skipped'; detail = 'skipped: not reached'; attempts = 0; seconds = 0.0 } }
    # Run command keeps only the last 4096 bytes of stdout: bounded details keep the whole JSON well inside that.
    if ($c.detail.Length -gt $DETAIL_MAX) { $c.detail = $c.detail.Substring(0, $DETAIL_MAX - 1) + [char]0x2026 }
    $c
})
$allOk = @($checks | Where-Object { -not $_.ok }).Count -eq 0
$report = [ordered]@{ ok = $allOk; checks = $checks }
[Console]::Out.WriteLine(($report | ConvertTo-Json -Compress -Depth 4))
if ($allOk) { exit 0 } else { exit 1 }
