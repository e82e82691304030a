// The secret scanner: credential literals and password-login switches in text the lab hands to a VM or to ARM.
// Messages name what was found, never the value: a fingerprint (length and a hash prefix) at most.
import { createHash } from "crypto";
import { gunzipSync } from "zlib";

/** Describes a secret-like value without showing it: its length and a short SHA-256 prefix. */
export function fingerprint(value: string): string {
  return `${value.length} chars, sha256 ${createHash("sha256").update(value).digest("hex").slice(0, 8)}`;
}

/** Base64 text (custom data, user data, extension scripts) decoded (and gunzipped) when it is valid base64, else as it is. */
export function decoded(value: string): string {
  const compact = value.replace(/\s+/g, "");
  if (compact.length >= 8 && compact.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    let bytes = Buffer.from(compact, "base64");
    // cloud-init also takes gzip-compressed user data.
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        bytes = gunzipSync(bytes, { maxOutputLength: 1 << 20 });
      } catch {
        return value;
      }
    }
    const text = bytes.toString("utf8");
    if (!text.includes("\uFFFD")) return `${value}\n${text}`;
  }
  return value;
}

/** Every string inside a value (settings objects, parameter lists), each also base64-decoded when it is base64. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [decoded(value)];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

/** Patterns of credential literals. Names only: messages never show a matched value. */
const SECRET_PATTERNS: readonly { readonly what: string; readonly re: RegExp }[] = [
  { what: "a private key", re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: "a storage account key in a connection string", re: /AccountKey=[A-Za-z0-9+/]{20,}={0,2}/i },
  { what: "a SAS token signature", re: /[?&]sig=[A-Za-z0-9%+/]{16,}/i },
  { what: "a bearer token (JWT)", re: /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/ },
  { what: "a storage account key", re: /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/ },
  { what: "a GitHub token", re: /\bgh[pousr]_[A-Za-z0-9]{36}\b/ },
  {
    what: "a credential assigned a literal value",
    re: /\b[A-Za-z0-9_]*(?:password|passwd|secret|token|api_?key|account_?key|access_?key|client_?secret|connection_?string)\b["']?\s*[:=]\s*(["'])[^"'$\s{}()<>]{6,}\1/i,
  },
  {
    what: "a credential assigned a literal value",
    re: /^\s*(?:export\s+)?[A-Za-z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCOUNT_?KEY|ACCESS_?KEY|CLIENT_?SECRET)=(?![$"'`(])[^\s;]{6,}/im,
  },
];

/** What kinds of credential literal a text holds (pattern names, never the values). Also used on the workflows. */
export function secretLiteralsIn(text: string): string[] {
  return [...new Set(SECRET_PATTERNS.filter((p) => p.re.test(text)).map((p) => p.what))];
}

/** Ways a script turns password sign-in back on (sshd, cloud-init, local accounts, Windows users). */
const PASSWORD_LOGIN_PATTERNS: readonly { readonly what: string; readonly re: RegExp }[] = [
  { what: "sshd PasswordAuthentication yes", re: /\bPasswordAuthentication\s+yes\b/i },
  { what: "sshd keyboard-interactive or challenge-response login", re: /(?:KbdInteractiveAuthentication|ChallengeResponseAuthentication)\s+yes\b/i },
  { what: "sshd PermitEmptyPasswords or PermitRootLogin yes", re: /(?:PermitEmptyPasswords|PermitRootLogin)\s+yes\b/i },
  { what: "cloud-init ssh_pwauth", re: /\bssh_pwauth\s*:\s*["']?(?:true|yes|1|on)\b/i },
  { what: "cloud-init lock_passwd: false", re: /\block_passwd\s*:\s*["']?(?:false|no|0|off)\b/i },
  { what: "a cloud-init password, plain_text_passwd or chpasswd", re: /^\s*(?:-\s*)?(?:passwd|password|plain_text_passwd|hashed_passwd)\s*:|^\s*chpasswd\s*:/im },
  { what: "chpasswd", re: /\bchpasswd\b/ },
  { what: "passwd setting a password", re: /\bpasswd\b(?!\s+(?:-l|--lock|-S|--status|-e|--expire)\b)[^\n]*(?:--stdin|\|\s*passwd|<<<)|\|\s*passwd\b/ },
  { what: "usermod or useradd with a password", re: /\b(?:usermod|useradd)\b[^\n]*\s(?:-p|--password)\s/ },
  { what: "Windows AutoLogon (a stored password)", re: /<AutoLogon\b/i },
  { what: "a Windows local account password", re: /\bnet\s+user\s+\S+\s+(?!\/)\S+|\b(?:Set|New)-LocalUser\b[^\n]*-Password\b/i },
];

/** What password-login switches a text holds (names only). */
export function passwordLoginIn(text: string): string[] {
  return [...new Set(PASSWORD_LOGIN_PATTERNS.filter((p) => p.re.test(text)).map((p) => p.what))];
}

/** Ways a script adds another SSH key (cloud-init, authorized_keys), or an SSH public key itself. */
const SSH_KEY_PATTERNS: readonly { readonly what: string; readonly re: RegExp }[] = [
  { what: "cloud-init ssh_authorized_keys", re: /\bssh_authorized_keys\s*:/i },
  { what: "a write to authorized_keys", re: /(?<!ssh_)authorized_keys/ },
  { what: "an SSH public key", re: /\b(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com)\s+AAAA[0-9A-Za-z+/]{20,}/ },
];

/** What extra-key switches a text holds (names only). */
export function sshKeysIn(text: string): string[] {
  return [...new Set(SSH_KEY_PATTERNS.filter((p) => p.re.test(text)).map((p) => p.what))];
}
