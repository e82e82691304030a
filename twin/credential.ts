// The operator's credential in tests: tokens from one twin identity's IMDS, for the resource each scope names.
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { call } from "./http";
import type { Identity } from "./twin";

export class TwinCredential implements TokenCredential {
  constructor(private readonly identity: Identity) {}

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? scopes[0] : scopes;
    const resource = scope.replace(/\.default$/, "");
    const res = await call(
      `${this.identity.imdsUrl}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=${encodeURIComponent(resource)}`,
      { headers: { Metadata: "true" } },
    );
    if (res.status !== 200) throw new Error(`twin IMDS: ${res.status} ${res.text}`);
    const body = res.json();
    return { token: body.access_token, expiresOnTimestamp: Number(body.expires_on) * 1000 };
  }
}
