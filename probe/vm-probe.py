#!/usr/bin/env -S python3 -I
"""vm-probe: proves, from inside a lab VM and with the VM's own managed identity, that the identity can get and set
Key Vault secrets (and read back what it set), cannot list them, and can call storage listKeys and use the key.

Standard library only: it runs on a stock Data Science VM with nothing installed.

stdout: exactly one JSON object {"ok": bool, "checks": [{"name", "ok", "status", "detail", "attempts", "seconds"}]}.
stderr: progress lines. Neither ever carries a secret value or a key: only lengths and short SHA-256 prefixes.
Exit code: 0 when every check is ok, 1 otherwise, 2 for bad arguments.

New grants take minutes to propagate, so 403 on get/set/listKeys, 429, 5xx, IMDS "Identity not found" and connection
errors are retried with backoff (and Retry-After) until --deadline-seconds runs out. A 200 on list is never retried:
it means the policy is too broad.

The VM's tokens and the storage key go only to the Key Vault and Blob hosts of one Azure cloud (CLOUDS), over https.

Test-only overrides (production uses the defaults): PROBE_IMDS_URL (http://169.254.169.254),
PROBE_ARM_URL (the cloud's ARM endpoint), PROBE_CA_FILE (an extra CA bundle to trust for HTTPS). Only while
PROBE_CA_FILE is set may any endpoint be a loopback address (127.0.0.1, ::1, localhost): the local twin; and only then
may PROBE_BACKOFF_FIRST shorten the first retry's wait (0.5 s), so tests of retries do not wait as long as a VM does.
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import secrets
import ssl
import sys
import time
import urllib.parse
from email.utils import formatdate, parsedate_to_datetime

# ---- constants: API versions, token resources, retry pacing, what a refusal means ------------------------------------
CHECKS = ["vault-token", "secret-get", "secret-set", "secret-list-denied", "arm-token", "storage-listkeys", "storage-data"]
IMDS_API = "2018-02-01"
KEYVAULT_API = "7.4"
STORAGE_ARM_API = "2024-01-01"
BLOB_API = "2021-08-06"
VAULT_RESOURCE = "https://vault.azure.net"
ARM_RESOURCE = "https://management.azure.com/"
# A storage account's ARM id, exactly: a subscription GUID; a resource group name as ARM allows it (1-90 of letters,
# digits, _ . ( ) -, not ending in '.': Microsoft's resource-name rules, as PSRule.Rules.Azure's Azure.ResourceGroup.Name
# states them; ASCII here, which is what the lab creates); the
# account name as Storage allows it (3-24 lowercase letters and digits). No '?', '#', '..', '%' or extra segment can
# get through, so the listKeys URL built from it names this account and nothing else.
STORAGE_ACCOUNT_ID = re.compile(
    r"/subscriptions/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"/resourceGroups/[-\w.()]{0,89}[-\w()]/providers/Microsoft\.Storage/storageAccounts/[a-z0-9]{3,24}",
    re.ASCII,
)
STORAGE_ACCOUNT_ID_FORM = "expected /subscriptions/GUID/resourceGroups/RG/providers/Microsoft.Storage/storageAccounts/NAME (RG: 1-90 letters, digits, _ . ( ) -, not ending in '.'; NAME: 3-24 lowercase letters and digits)"
# One request never waits longer than this, whatever the deadline.
REQUEST_TIMEOUT = 30.0
BACKOFF_FIRST, BACKOFF_CAP = 0.5, 30.0
# A 403 on list proves the identity may not list only when Key Vault refused the permission. The inner code varies
# (AccessDenied and ForbiddenByPolicy under access policies, ForbiddenByRbac under RBAC, others: Microsoft's Go SDK
# troubleshooting guide says it "may vary"), so any inner code passes except the network's own two, and a 403 with no
# inner code passes unless its message is a network refusal. These prove nothing about the permission.
DENIED_BY_MODEL = {"AccessDenied": "access policy", "ForbiddenByPolicy": "access policy", "ForbiddenByRbac": "RBAC"}
NETWORK_REFUSALS = {
    "ForbiddenByFirewall": "the vault's firewall refused this client's address",
    "ForbiddenByConnection": "the vault takes no public network connection and this one is no approved private link",
}
NETWORK_MESSAGES = ("client address is not authorized", "public network access is disabled", "approved private link")
# The longest detail a check reports (see report()).
DETAIL_MAX = 300


# ---- what may be shown: lengths and short hashes, never a value ------------------------------------------------------
def short_hash(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:8]


def describe(value):
    """How a secret value is shown: its length and a short hash, never the value."""
    return "%d chars, sha256 %s" % (len(value), short_hash(value))


def log(msg):
    sys.stderr.write("vm-probe: %s\n" % msg)
    sys.stderr.flush()


# ---- one attempt's outcome, one HTTP answer --------------------------------------------------------------------------
class Outcome:
    """The result of one attempt. retry: whether another attempt may succeed. data: what later checks need."""

    def __init__(self, ok, detail, http_status=None, retry=False, retry_after=None, data=None):
        self.ok, self.detail, self.http_status = ok, detail, http_status
        self.retry, self.retry_after, self.data = retry, retry_after, data


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        """The body as a JSON object, or None when it is not one (a malformed answer is a failure, not a crash)."""
        try:
            value = json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None
        return value if isinstance(value, dict) else None

    def error_code(self):
        """Azure's error code, from any of its error shapes (ARM/Key Vault {"error":{"code"}}, IMDS {"error"})."""
        body = self.json() or {}
        err = body.get("error")
        if isinstance(err, dict):
            inner = err.get("innererror") if isinstance(err.get("innererror"), dict) else {}
            code = str(err.get("code", ""))
            return "%s/%s" % (code, inner["code"]) if inner.get("code") else code
        if isinstance(err, str):
            return "%s: %s" % (err, body.get("error_description", "")) if body.get("error_description") else err
        storage_code = self.headers.get("x-ms-error-code")
        return storage_code or ""

    def key_vault_refusal(self):
        """(inner code or "", message) of Key Vault's 403 body {"error":{"code":"Forbidden",...}}; None if it is not one."""
        err = (self.json() or {}).get("error")
        if not isinstance(err, dict) or err.get("code") != "Forbidden":
            return None
        inner = err.get("innererror") if isinstance(err.get("innererror"), dict) else {}
        return str(inner.get("code") or ""), str(err.get("message") or "")

    def summary(self):
        code = self.error_code()
        return "HTTP %d%s" % (self.status, " " + code if code else "")


# ---- HTTP(S): one connection per request, Retry-After, transient answers ---------------------------------------------
class Http:
    def __init__(self, ca_file):
        self.context = ssl.create_default_context()
        if ca_file:
            self.context.load_verify_locations(cafile=ca_file)

    def request(self, method, url, headers=None, body=None, timeout=REQUEST_TIMEOUT):
        u = urllib.parse.urlsplit(url)
        path = (u.path or "/") + ("?" + u.query if u.query else "")
        if u.scheme == "https":
            conn = http.client.HTTPSConnection(u.hostname, u.port or 443, timeout=timeout, context=self.context)
        else:
            conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=timeout)
        try:
            hdrs = dict(headers or {})
            if body is not None or method in ("POST", "PUT"):
                hdrs.setdefault("Content-Length", str(len(body or b"")))
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
        finally:
            conn.close()


def retry_after_seconds(resp):
    """Retry-After as seconds (delta-seconds or HTTP-date), or None."""
    value = resp.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None


def transient(resp, outcome_detail):
    """429 and 5xx: Azure is busy or failing; another attempt may succeed."""
    return Outcome(False, outcome_detail, resp.status, retry=True, retry_after=retry_after_seconds(resp))


# ---- the probe: its checks, their retries and the report -------------------------------------------------------------
class Probe:
    def __init__(self, args, env):
        self.args = args
        self.deadline = time.monotonic() + args.deadline_seconds
        self.imds = env.get("PROBE_IMDS_URL", IMDS_URL).rstrip("/")
        self.arm = env.get("PROBE_ARM_URL", args.cloud["arm"]).rstrip("/")
        self.http = Http(env.get("PROBE_CA_FILE"))
        self.backoff_first = float(env.get("PROBE_BACKOFF_FIRST", BACKOFF_FIRST))
        self.vault = args.vault_uri.rstrip("/")
        self.blob = args.blob_endpoint.rstrip("/")
        self.account = args.storage_account_id.rstrip("/").split("/")[-1]
        self.results = {}
        self.state = {}

    # ---- the retry loop ----------------------------------------------------------------------------------------------
    def run_check(self, name, attempt):
        started = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            try:
                outcome = attempt()
            except ssl.SSLCertVerificationError as e:
                # An untrusted certificate does not fix itself: fail now.
                outcome = Outcome(False, "TLS certificate not trusted: %s" % e.verify_message)
            except (OSError, http.client.HTTPException) as e:
                # Connection refused, reset, timeout, TLS failure: the network path may come up later.
                outcome = Outcome(False, "connection error: %s: %s" % (type(e).__name__, e), retry=True)
            if outcome.ok or not outcome.retry:
                break
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                outcome.detail += "; gave up after %d attempts: the deadline of %gs ran out" % (attempts, self.args.deadline_seconds)
                break
            backoff = min(BACKOFF_CAP, self.backoff_first * 2 ** (attempts - 1)) * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not a secret
            wait = min(remaining, outcome.retry_after if outcome.retry_after is not None else backoff)
            log("%s: attempt %d: %s; retrying in %.1fs" % (name, attempts, outcome.detail, wait))
            time.sleep(wait)
        self.results[name] = {
            "name": name,
            "ok": bool(outcome.ok),
            "status": "passed" if outcome.ok else "failed",
            "detail": outcome.detail,
            "attempts": attempts,
            "seconds": round(time.monotonic() - started, 2),
        }
        if outcome.ok and outcome.data is not None:
            self.state[name] = outcome.data
        log("%s: %s (%s)" % (name, "ok" if outcome.ok else "FAILED", outcome.detail))
        return outcome.ok

    def skip(self, name, reason):
        self.results[name] = {"name": name, "ok": False, "status": "skipped", "detail": "skipped: " + reason, "attempts": 0, "seconds": 0.0}
        log("%s: skipped (%s)" % (name, reason))

    def timeout(self):
        return max(1.0, min(REQUEST_TIMEOUT, self.deadline - time.monotonic() + 1.0))

    # ---- IMDS tokens -------------------------------------------------------------------------------------------------
    def token(self, resource):
        def attempt():
            query = urllib.parse.urlencode({"api-version": IMDS_API, "resource": resource})
            resp = self.http.request("GET", "%s/metadata/identity/oauth2/token?%s" % (self.imds, query), {"Metadata": "true"}, timeout=self.timeout())
            if resp.status == 200:
                body = resp.json()
                token = body.get("access_token") if body else None
                if not isinstance(token, str) or not token:
                    return Outcome(False, "IMDS answered 200 but not with a token (the body is not JSON with access_token: %d bytes)" % len(resp.body), 200)
                return Outcome(True, "token for %s (expires in %ss)" % (resource, body.get("expires_in", "?")), 200, data=token)
            detail = "IMDS %s" % resp.summary()
            if resp.status == 400 and "identity not found" in resp.error_code().lower():
                # The VM's identity is still being set up, or it has none: retry until the deadline.
                return Outcome(False, detail + " (does the VM have a system-assigned identity?)", 400, retry=True)
            if resp.status in (404, 410, 429) or resp.status >= 500:
                return transient(resp, detail)
            return Outcome(False, detail, resp.status)

        return attempt

    # ---- Key Vault: get, set and read back, list denied --------------------------------------------------------------
    def kv(self, method, path, body=None):
        token = self.state["vault-token"]
        sep = "&" if "?" in path else "?"
        headers = {"Authorization": "Bearer " + token}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        return self.http.request(method, "%s%s%sapi-version=%s" % (self.vault, path, sep, KEYVAULT_API), headers, data, timeout=self.timeout())

    def kv_denied_or_failed(self, resp, what):
        detail = "%s: Key Vault %s" % (what, resp.summary())
        if resp.status == 403:
            refusal = resp.key_vault_refusal()
            # Network rules, like access policies, take a while to reach every Key Vault node.
            hint = " (the vault's network rules refused this client)" if refusal and refusal[0] in NETWORK_REFUSALS else " (no permission yet?)"
            return Outcome(False, detail + hint, 403, retry=True, retry_after=retry_after_seconds(resp))
        if resp.status == 429 or resp.status >= 500:
            return transient(resp, detail)
        return Outcome(False, detail, resp.status)

    def secret_get(self):
        name = self.args.secret
        resp = self.kv("GET", "/secrets/%s" % urllib.parse.quote(name))
        if resp.status != 200:
            return self.kv_denied_or_failed(resp, "get %s" % name)
        body = resp.json()
        value = body.get("value") if body else None
        if not isinstance(value, str):
            return Outcome(False, "get %s: Key Vault answered 200 with a malformed body (%d bytes, not a SecretBundle)" % (name, len(resp.body)), 200)
        return Outcome(True, "read %s: %s" % (name, describe(value)), 200)

    def secret_set(self):
        """Writes the nonce to <secret>-probe, then reads that version back: the read-back's hash is what verify checks."""
        name = self.args.secret + "-probe"
        value = self.args.nonce
        written = self.state.get("secret-set-version")
        if written is None:
            resp = self.kv("PUT", "/secrets/%s" % urllib.parse.quote(name), {"value": value, "contentType": "text/plain", "tags": {"writtenBy": "vm-probe"}})
            if resp.status != 200:
                return self.kv_denied_or_failed(resp, "set %s" % name)
            body = resp.json()
            sid = body.get("id") if body else None
            if not isinstance(sid, str):
                return Outcome(False, "set %s: Key Vault answered 200 with a malformed body (%d bytes, not a SecretBundle)" % (name, len(resp.body)), 200)
            written = sid.rstrip("/").split("/")[-1]
            # A retry only reads back: another PUT would write another version.
            self.state["secret-set-version"] = written
        what = "wrote %s version %s: %s" % (name, written, describe(value))
        resp = self.kv("GET", "/secrets/%s/%s" % (urllib.parse.quote(name), urllib.parse.quote(written)))
        if resp.status != 200:
            failed = self.kv_denied_or_failed(resp, "read back %s version %s" % (name, written))
            failed.detail = "%s; %s" % (what, failed.detail)
            return failed
        body = resp.json()
        got = body.get("value") if body else None
        if not isinstance(got, str):
            return Outcome(False, "%s; read back: Key Vault answered 200 with a malformed body (%d bytes)" % (what, len(resp.body)), 200)
        if hashlib.sha256(got.encode("utf-8")).digest() != hashlib.sha256(value.encode("utf-8")).digest():
            return Outcome(False, "%s; read back: %s, which is NOT what was written" % (what, describe(got)), 200)
        return Outcome(True, "%s; read back: %s" % (what, describe(got)), 200)

    def secret_list_denied(self):
        resp = self.kv("GET", "/secrets?maxresults=1")
        if resp.status == 403:
            refusal = resp.key_vault_refusal()
            if refusal is None:
                # Not Key Vault's own refusal (a proxy's page, say): it says nothing about the identity's grants.
                return Outcome(False, "list secrets: HTTP 403 that is not Key Vault's error body (%d bytes): proves nothing about the identity's permission" % len(resp.body), 403)
            inner, message = refusal
            network = NETWORK_REFUSALS.get(inner)
            if network is None and not inner and any(m in message.lower() for m in NETWORK_MESSAGES):
                network = "the vault's network rules refused this client"
            if network is not None:
                return Outcome(False, "list secrets: Key Vault %s: the network refused the list (%s), which proves nothing about the identity's permission" % (resp.summary(), network), 403)
            why = "%s refusal, inner code %s" % (DENIED_BY_MODEL[inner], inner) if inner in DENIED_BY_MODEL else ("inner code %s" % inner if inner else "no inner code: %s" % message[:80])
            return Outcome(True, "list secrets: Key Vault %s, as it must be: the identity cannot list (%s)" % (resp.summary(), why), 403)
        if resp.status == 200:
            # Never retried away: a grant that allows listing is too broad, however long we wait.
            return Outcome(False, "list secrets answered 200: the identity CAN list secrets; its grant is too broad (remove 'list' from the access policy, or readMetadata from the role)", 200)
        if resp.status == 429 or resp.status >= 500:
            return transient(resp, "list secrets: Key Vault %s" % resp.summary())
        return Outcome(False, "list secrets: Key Vault %s (expected 403)" % resp.summary(), resp.status)

    # ---- ARM listKeys and the Blob data plane ------------------------------------------------------------------------
    def list_keys(self):
        url = "%s%s/listKeys?api-version=%s" % (self.arm, self.args.storage_account_id.rstrip("/"), STORAGE_ARM_API)
        resp = self.http.request("POST", url, {"Authorization": "Bearer " + self.state["arm-token"]}, b"", timeout=self.timeout())
        detail = "listKeys: ARM %s" % resp.summary()
        if resp.status == 403:
            # Role assignments take minutes to propagate.
            return Outcome(False, detail + " (no role assignment yet?)", 403, retry=True, retry_after=retry_after_seconds(resp))
        if resp.status == 429 or resp.status >= 500:
            return transient(resp, detail)
        if resp.status != 200:
            return Outcome(False, detail, resp.status)
        body = resp.json()
        keys = body.get("keys") if body else None
        values = [k.get("value") for k in keys if isinstance(k, dict) and isinstance(k.get("value"), str)] if isinstance(keys, list) else []
        if not values:
            return Outcome(False, "listKeys answered 200 without any key (%d bytes)" % len(resp.body), 200)
        return Outcome(True, "listKeys: %d key(s); first: %s" % (len(values), describe(values[0])), 200, data=values[0])

    def blob_request(self, key, method, path, query=None, body=None, extra=None):
        """One Blob service request signed with Shared Key (https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key)."""
        query = query or {}
        url_path = urllib.parse.urlsplit(self.blob).path.rstrip("/") + path
        headers = {"x-ms-date": formatdate(usegmt=True), "x-ms-version": BLOB_API}
        headers.update(extra or {})
        length = len(body) if body else 0
        canonical_headers = "".join("%s:%s\n" % (k, headers[k].strip()) for k in sorted(h for h in headers if h.startswith("x-ms-")))
        canonical_resource = "/%s%s" % (self.account, url_path) + "".join("\n%s:%s" % (k.lower(), query[k]) for k in sorted(query))
        content_type = headers.get("Content-Type", "")
        to_sign = "\n".join([method, "", "", str(length) if length else "", "", content_type, "", "", "", "", "", ""]) + "\n" + canonical_headers + canonical_resource
        signature = base64.b64encode(hmac.new(base64.b64decode(key), to_sign.encode("utf-8"), hashlib.sha256).digest()).decode()
        headers["Authorization"] = "SharedKey %s:%s" % (self.account, signature)
        qs = ("?" + urllib.parse.urlencode(sorted(query.items()))) if query else ""
        base = urllib.parse.urlsplit(self.blob)
        url = "%s://%s%s%s" % (base.scheme, base.netloc, url_path, qs)
        return self.http.request(method, url, headers, body if body else (b"" if method == "PUT" else None), timeout=self.timeout())

    def storage_data(self):
        key = self.state["storage-listkeys"]
        try:
            base64.b64decode(key, validate=True)
        except ValueError:
            return Outcome(False, "the key from listKeys is not base64 (%s)" % describe(key))
        container = "vm-probe-%s" % secrets.token_hex(6)
        payload = ("vm-probe %s %s" % (self.args.nonce, secrets.token_hex(16))).encode("utf-8")

        def failed(step, resp):
            detail = "%s: Blob %s" % (step, resp.summary())
            if resp.status == 403:
                detail += " (does the key from listKeys work for %s?)" % self.account
            if resp.status == 429 or resp.status >= 500:
                return transient(resp, detail)
            return Outcome(False, detail, resp.status)

        resp = self.blob_request(key, "PUT", "/" + container, {"restype": "container"})
        if resp.status != 201:
            return failed("create container %s" % container, resp)
        try:
            blob = "/%s/probe.txt" % container
            resp = self.blob_request(key, "PUT", blob, body=payload, extra={"x-ms-blob-type": "BlockBlob", "Content-Type": "text/plain"})
            if resp.status != 201:
                return failed("put blob", resp)
            resp = self.blob_request(key, "GET", blob)
            if resp.status != 200:
                return failed("get blob", resp)
            if hashlib.sha256(resp.body).digest() != hashlib.sha256(payload).digest():
                return Outcome(False, "the blob read back differs from the one written (%d vs %d bytes)" % (len(resp.body), len(payload)), 200)
            resp = self.blob_request(key, "DELETE", blob)
            if resp.status != 202:
                return failed("delete blob", resp)
        finally:
            cleanup = self.blob_request(key, "DELETE", "/" + container, {"restype": "container"})
            if cleanup.status != 202:
                log("could not delete container %s: Blob %s" % (container, cleanup.summary()))
        return Outcome(True, "wrote, read back (sha256 match, %d bytes) and deleted a blob in %s, then deleted the container" % (len(payload), container), 202)

    # ---- the run and its report --------------------------------------------------------------------------------------
    def run(self):
        vault_ok = self.run_check("vault-token", self.token(self.args.cloud["vault_resource"]))
        for name, attempt in (("secret-get", self.secret_get), ("secret-set", self.secret_set), ("secret-list-denied", self.secret_list_denied)):
            if vault_ok:
                self.run_check(name, attempt)
            else:
                self.skip(name, "vault-token failed, so there is no token for Key Vault")
        if self.run_check("arm-token", self.token(self.args.cloud["arm"] + "/")):
            if self.run_check("storage-listkeys", self.list_keys):
                self.run_check("storage-data", self.storage_data)
            else:
                self.skip("storage-data", "storage-listkeys failed, so there is no key")
        else:
            self.skip("storage-listkeys", "arm-token failed, so there is no token for ARM")
            self.skip("storage-data", "arm-token failed, so there is no key")

    def report(self):
        checks = [self.results.get(n) or {"name": n, "ok": False, "status": "skipped", "detail": "skipped: not reached", "attempts": 0, "seconds": 0.0} for n in CHECKS]
        # Run command keeps only the last 4096 bytes of stdout: bounded details keep the whole JSON well inside that.
        for c in checks:
            if len(c["detail"]) > DETAIL_MAX:
                c["detail"] = c["detail"][: DETAIL_MAX - 1] + "\u2026"
        return {"ok": all(c["ok"] for c in checks), "checks": checks}



# ---- where tokens and keys may go: each cloud's hosts, loopback only in test mode ------------------------------------
# Each Azure cloud's Key Vault and Blob DNS suffixes, Key Vault token resource and ARM endpoint. Sources: azure-cli's
# KNOWN_CLOUDS (src/azure-cli-core/azure/cli/core/cloud.py: keyvault_dns, storage_endpoint, resource_manager), and
# Microsoft's developer guides for Azure Government and Azure China.
CLOUDS = {
    "AzureCloud": {"vault": ".vault.azure.net", "blob": ".blob.core.windows.net", "vault_resource": VAULT_RESOURCE, "arm": ARM_RESOURCE.rstrip("/")},
    "AzureChinaCloud": {"vault": ".vault.azure.cn", "blob": ".blob.core.chinacloudapi.cn", "vault_resource": "https://vault.azure.cn", "arm": "https://management.chinacloudapi.cn"},
    "AzureUSGovernment": {"vault": ".vault.usgovcloudapi.net", "blob": ".blob.core.usgovcloudapi.net", "vault_resource": "https://vault.usgovcloudapi.net", "arm": "https://management.usgovcloudapi.net"},
}
# https://NAME<suffix>/ on the default port, nothing else: no user info, port, path, query or fragment.
CLOUD_URL = re.compile(r"https://([a-z0-9-]{3,24})(\.[a-z0-9.]+?)(?::443)?/?", re.IGNORECASE | re.ASCII)
VAULT_NAME = re.compile(r"[a-z][a-z0-9-]{1,22}[a-z0-9]", re.IGNORECASE | re.ASCII)
ACCOUNT_NAME = re.compile(r"[a-z0-9]{3,24}", re.IGNORECASE | re.ASCII)
# The local twin, tests only: a loopback host, any port, a plain path.
LOOPBACK_URL = re.compile(r"(https?)://(127\.0\.0\.1|localhost|\[::1\])(?::[0-9]{1,5})?(?:/[A-Za-z0-9._-]+)*/?")
IMDS_URL = "http://169.254.169.254"


def test_mode(env):
    """Loopback endpoints only while the test-only PROBE_CA_FILE is set: no flag turns them on."""
    return bool(env.get("PROBE_CA_FILE"))


def endpoint_cloud(value, kind, env):
    """The cloud whose `kind` ("vault" or "blob") host `value` is, "loopback" for the twin, or None when refused."""
    if not all("!" <= c <= "~" for c in value):
        return None  # printable ASCII only: no look-alike letters, spaces or controls
    m = CLOUD_URL.fullmatch(value)
    if m:
        name, suffix = m.group(1), m.group(2).lower()
        valid = VAULT_NAME.fullmatch(name) and "--" not in name if kind == "vault" else ACCOUNT_NAME.fullmatch(name)
        for cloud, c in CLOUDS.items():
            if suffix == c[kind] and valid:
                return cloud
        return None
    m = LOOPBACK_URL.fullmatch(value)
    if m and test_mode(env) and (m.group(1) == "https" or kind == "blob"):
        return "loopback"
    return None


def endpoint_error(flag, value, kind):
    suffixes = " or ".join("https://NAME%s/" % c[kind] for c in CLOUDS.values())
    http = " (http:// only on a loopback address, for tests)" if kind == "blob" else ""
    return "%s %r: expected an https:// URL, %s%s; a loopback address only while PROBE_CA_FILE is set" % (flag, value, suffixes, http)


def env_endpoint_error(name, value, allowed, env):
    """Why the test-only override `name` is refused, or None: it may only name `allowed`, or loopback in test mode."""
    if value.rstrip("/") == allowed:
        return None
    m = LOOPBACK_URL.fullmatch(value)
    if m and test_mode(env):
        return None
    return "%s %r: expected %s (loopback only while PROBE_CA_FILE is set, for tests)" % (name, value, allowed)


def backoff_error(value, env):
    """Why the test-only PROBE_BACKOFF_FIRST is refused, or None: only in test mode, and only shorter than the VM's."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if test_mode(env) and seconds is not None and 0 < seconds <= BACKOFF_FIRST:
        return None
    return "PROBE_BACKOFF_FIRST %r: expected seconds above 0, at most %g (only while PROBE_CA_FILE is set, for tests)" % (value, BACKOFF_FIRST)


# ---- arguments: checked before any request ---------------------------------------------------------------------------
def parse_args(argv, env):
    p = argparse.ArgumentParser(prog="vm-probe", description="In-VM checks of the lab's grants, with the VM's managed identity.")
    p.add_argument("--vault-uri", required=True, help="https://NAME.vault.azure.net/")
    p.add_argument("--secret", required=True, help="name of the canary secret to read; the probe writes NAME-probe")
    p.add_argument("--storage-account-id", required=True, help="/subscriptions/.../providers/Microsoft.Storage/storageAccounts/NAME")
    p.add_argument("--blob-endpoint", required=True, help="https://NAME.blob.core.windows.net/")
    p.add_argument("--nonce", default=None, help="text written into NAME-probe (default: random)")
    p.add_argument("--deadline-seconds", type=float, default=600.0, help="how long to keep retrying (default 600)")
    a = p.parse_args(argv)
    vault_cloud = endpoint_cloud(a.vault_uri, "vault", env)
    if vault_cloud is None:
        p.error(endpoint_error("--vault-uri", a.vault_uri, "vault"))
    blob_cloud = endpoint_cloud(a.blob_endpoint, "blob", env)
    if blob_cloud is None:
        p.error(endpoint_error("--blob-endpoint", a.blob_endpoint, "blob"))
    if "loopback" not in (vault_cloud, blob_cloud) and vault_cloud != blob_cloud:
        p.error("--blob-endpoint %r: expected the blob endpoint of the vault's cloud (%s), not of %s" % (a.blob_endpoint, vault_cloud, blob_cloud))
    a.cloud = CLOUDS[vault_cloud if vault_cloud != "loopback" else blob_cloud if blob_cloud != "loopback" else "AzureCloud"]
    if not (1 <= len(a.secret) <= 121) or not all(c.isascii() and (c.isalnum() or c == "-") for c in a.secret):
        p.error("--secret %r: expected 1-121 letters, digits and hyphens (a Key Vault secret name; the probe adds -probe)" % a.secret)
    # The id becomes the path of the ARM URL the VM's ARM token is sent to: only an exact storage account id will do.
    if not STORAGE_ACCOUNT_ID.fullmatch(a.storage_account_id):
        p.error("--storage-account-id %r: %s" % (a.storage_account_id, STORAGE_ACCOUNT_ID_FORM))
    parts = a.storage_account_id.strip("/").split("/")
    if blob_cloud != "loopback" and a.blob_endpoint.split("//", 1)[1].split(".", 1)[0].lower() != parts[7].lower():
        p.error("--blob-endpoint %r: expected the blob endpoint of the account %s in --storage-account-id" % (a.blob_endpoint, parts[7]))
    if not a.deadline_seconds > 0:
        p.error("--deadline-seconds %r: expected a number of seconds above 0" % a.deadline_seconds)
    if a.nonce is None:
        a.nonce = secrets.token_hex(16)
    elif not a.nonce or len(a.nonce) > 200:
        p.error("--nonce: expected 1-200 characters")
    return a


# ---- main: exit 0 when every check passed, 1 when one did not, 2 for bad input ---------------------------------------
def main(argv, env):
    args = parse_args(argv, env)
    for name, allowed in (("PROBE_ARM_URL", args.cloud["arm"]), ("PROBE_IMDS_URL", IMDS_URL)):
        problem = env_endpoint_error(name, env.get(name, allowed), allowed, env)
        if problem:
            sys.stderr.write("vm-probe: %s\n" % problem)
            return 2
    if "PROBE_BACKOFF_FIRST" in env:
        problem = backoff_error(env["PROBE_BACKOFF_FIRST"], env)
        if problem:
            sys.stderr.write("vm-probe: %s\n" % problem)
            return 2
    probe = Probe(args, env)
    try:
        probe.run()
    except Exception as e:  # noqa: BLE001 - the JSON report must still come out, never a traceback
        log("internal error: %s: %s" % (type(e).__name__, e))
        for name in CHECKS:
            if name not in probe.results:
                probe.results[name] = {"name": name, "ok": False, "status": "failed", "detail": "internal error: %s: %s" % (type(e).__name__, e), "attempts": 0, "seconds": 0.0}
                break
    report = probe.report()
    sys.stdout.write(json.dumps(report, separators=(",", ":")) + "\n")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], os.environ))
