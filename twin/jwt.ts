// Fake access tokens: JWT-shaped (header.payload.signature) with the claims Azure services read, and no real signature.
export interface TokenClaims {
  /** Audience: the resource the token is for, e.g. https://vault.azure.net. */
  readonly aud: string;
  /** Object id of the principal. */
  readonly oid: string;
  readonly tid: string;
  readonly appid?: string;
  readonly iat?: number;
  readonly exp?: number;
}

const b64url = (s: string) => Buffer.from(s).toString("base64url");

export function fakeJwt(claims: TokenClaims): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: `https://sts.windows.net/${claims.tid}/`, iat: now, nbf: now, exp: now + 3600, ...claims };
  return `${b64url(JSON.stringify({ typ: "JWT", alg: "none" }))}.${b64url(JSON.stringify(payload))}.${b64url("twin-unsigned")}`;
}

/** The claims of a bearer token, or undefined when it is not a JWT the twin made. */
export function readJwt(token: string): TokenClaims | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    return typeof claims?.aud === "string" && typeof claims?.oid === "string" ? claims : undefined;
  } catch {
    return undefined;
  }
}
