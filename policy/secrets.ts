// The secret scanner: credential literals and password-login switches in text the lab hands to a VM or to ARM.
// Messages name what was found, never the value: a fingerprint (length and a hash prefix) at most.
import { createHash } from "crypto";
import { gunzipSync } from "zlib";
import { memoByText, memoListByText } from "./memo";

/** Describes a secret-like value without showing it: its length and a short SHA-256 prefix. */
export function fingerprint(value: string): string {
  return `${value.length} chars, sha256 ${createHash("sha256").update(value).digest("hex").slice(0, 8)}`;
}

/** Base64 bytes as text, gunzipped when gzip (cloud-init takes gzip-compressed user data); undefined when not text. */
function base64Text(compact: string): string | undefined {
  let bytes = Buffer.from(compact, "base64");
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: 1 << 20 });
    } catch {
      return undefined;
    }
  }
  const text = bytes.toString("utf8");
  return text.includes("\uFFFD") || /[\x00-\x08\x0e-\x1f]/.test(text) ? undefined : text;
}

const BASE64_RUN = /[A-Za-z0-9+/]{16,}={0,2}/g;

/**
 * Every layer of a text: the text itself, whole-text base64 (and gzip), base64 runs inside it (an `echo … | base64 -d`
 * in a script, a cloud-init MIME part with Content-Transfer-Encoding: base64), recursively, and each layer with shell
 * quote splitting undone (`chpass""wd`). Joined by newlines, so patterns see every layer.
 */
export const decoded: (value: string) => string = memoByText((value) => layersOf(value, 0));

function layersOf(value: string, depth: number): string {
  const layers = [value];
  const compact = value.replace(/\s+/g, "");
  const candidates = new Set<string>();
  if (compact.length >= 8 && compact.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) candidates.add(compact);
  for (const m of value.replace(/\r?\n(?=[A-Za-z0-9+/])/g, "").match(BASE64_RUN) ?? [])
    candidates.add(m.length % 4 ? m.slice(0, m.length - (m.length % 4)) : m);
  for (const c of [...candidates].slice(0, 64)) {
    const text = base64Text(c);
    if (text !== undefined && text.length >= 4) layers.push(depth < 3 ? layersOf(text, depth + 1) : text);
  }
  const unquoted = value.replace(/""|''|\\(?=[A-Za-z])/g, "");
  if (unquoted !== value) layers.push(unquoted);
  return layers.join("\n");
}

/**
 * What a secret value looks like in text, however encoded: itself, hex, URL-encoded, and the base64 (and base64url)
 * characters its bytes produce at each of the three byte alignments, so it is found inside a larger encoded string.
 */
export const secretNeedles = memoListByText(needlesOf);

function needlesOf(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const out = new Set([value, bytes.toString("hex"), bytes.toString("hex").toUpperCase(), encodeURIComponent(value)]);
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString("base64");
    const core = enc.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
    if (core.length >= 8) {
      out.add(core);
      out.add(core.replace(/\+/g, "-").replace(/\//g, "_"));
    }
  }
  return [...out];
}

/** Whether a text holds the value in any of its encodings. */
export function holdsSecret(text: string, needles: readonly string[]): boolean {
  return needles.some((n) => text.includes(n));
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
export const secretLiteralsIn = memoListByText((text) => [...new Set(SECRET_PATTERNS.filter((p) => p.re.test(text)).map((p) => p.what))]);

/** Ways a script turns password sign-in back on (sshd, cloud-init, local accounts, Windows users). */
const PASSWORD_LOGIN_PATTERNS: readonly { readonly what: string; readonly re: RegExp }[] = [
  { what: "sshd PasswordAuthentication yes", re: /\bPasswordAuthentication(?:\s+|\s*=\s*)["']?yes\b/i },
  {
    what: "sshd keyboard-interactive or challenge-response login",
    re: /(?:KbdInteractiveAuthentication|ChallengeResponseAuthentication)\s+yes\b/i,
  },
  { what: "sshd PermitEmptyPasswords or PermitRootLogin yes", re: /(?:PermitEmptyPasswords|PermitRootLogin)\s+yes\b/i },
  { what: "cloud-init ssh_pwauth", re: /\bssh_pwauth\s*:\s*["']?(?:true|yes|1|on)\b/i },
  { what: "cloud-init lock_passwd: false", re: /\block_passwd\s*:\s*["']?(?:false|no|0|off)\b/i },
  {
    what: "a cloud-init password, plain_text_passwd or chpasswd",
    re: /^\s*(?:-\s*)?(?:passwd|password|plain_text_passwd|hashed_passwd)\s*:|^\s*chpasswd\s*:/im,
  },
  { what: "chpasswd", re: /\bchpasswd\b/i },
  {
    what: "passwd setting a password",
    re: /\bpasswd\b(?!\s+(?:-l|--lock|-S|--status|-e|--expire)\b)[^\n]*(?:--stdin|\|\s*passwd|<<<)|\|\s*passwd\b/,
  },
  { what: "usermod or useradd with a password", re: /\b(?:usermod|useradd)\b[^\n]*\s(?:-p|--password)\s/ },
  { what: "Windows AutoLogon (a stored password)", re: /<AutoLogon\b/i },
  { what: "a Windows local account password", re: /\bnet\s+user\s+\S+\s+(?!\/)\S+|\b(?:Set|New)-LocalUser\b[^\n]*-Password\b/i },
];

/** What password-login switches a text holds (names only). */
export const passwordLoginIn = memoListByText((text) => [
  ...new Set(PASSWORD_LOGIN_PATTERNS.filter((p) => p.re.test(text)).map((p) => p.what)),
]);

/** Ways a script adds another SSH key (cloud-init, authorized_keys), or an SSH public key itself. */
const SSH_KEY_PATTERNS: readonly { readonly what: string; readonly re: RegExp }[] = [
  { what: "cloud-init ssh_authorized_keys", re: /\bssh_authorized_keys\s*:/i },
  { what: "a write to authorized_keys", re: /(?<!ssh_)authorized_keys/ },
  { what: "cloud-init ssh_import_id", re: /\bssh_import_id\b|\bssh-import-id\b/i },
  { what: "sshd AuthorizedKeysFile", re: /\bAuthorizedKeys(?:File|Command)\b/i },
  // Every key type OpenSSH prints (ssh-*, ecdsa-sha2-*, sk-*@openssh.com, and their -cert-v01 forms).
  {
    what: "an SSH public key",
    re: /\b(?:ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9-]+@openssh\.com|[a-z0-9-]+-cert-v01@openssh\.com)\s+AAAA[0-9A-Za-z+/]{20,}/i,
  },
];

/** What extra-key switches a text holds (names only). */
export const sshKeysIn = memoListByText((text) => [...new Set(SSH_KEY_PATTERNS.filter((p) => p.re.test(text)).map((p) => p.what))]);
