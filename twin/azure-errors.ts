// Error bodies exactly as Azure writes them, one place for the twin and for the spec test that checks them.

/** IMDS token errors: {"error","error_description"} (imds.json IdentityErrorResponse). */
export const imdsError = (error: string, description: string) => ({ error, error_description: description });

export const IMDS = {
  /** What IMDS answers when the Metadata header is missing: it refuses, so SSRF cannot reach it. */
  missingMetadata: imdsError("invalid_request", "Required metadata header not specified"),
  /** The VM has no identity (yet): 400 invalid_request. */
  identityNotFound: imdsError("invalid_request", "Identity not found"),
  throttled: imdsError("too_many_requests", "Too many requests"),
  unavailable: imdsError("service_unavailable", "Service unavailable"),
  badResource: imdsError("invalid_request", "AADSTS500011: The resource principal named was not found in the tenant."),
};

/** How an access-policy vault words a refusal: the inner code it sends, or none. */
export type PolicyDenialCode = "AccessDenied" | "ForbiddenByPolicy" | "none";

/** Key Vault errors: {"error":{"code","message","innererror"}} (common.json KeyVaultError). */
export const KEYVAULT = {
  missingToken: { error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." } },
  badAudience: (found: string) => ({
    error: { code: "Unauthorized", message: `AKV10022: Invalid audience. Expected https://vault.azure.net, found: ${found}.` },
  }),
  /**
   * Access-policy model: the caller has no policy for `permission`. Azure answers this with inner code AccessDenied
   * (quoted in MicrosoftDocs/azure-docs#57072 and turbot/steampipe-plugin-azure#127); ForbiddenByPolicy comes with a
   * policy the caller does not satisfy (SparebankenVest/azure-key-vault-to-kubernetes#126); older vaults sent
   * "Access denied" with no inner code at all (hashicorp/terraform-provider-azurerm#1034).
   */
  forbidden: (oid: string, tid: string, permission: string, vault: string, inner: PolicyDenialCode = "AccessDenied") => {
    const caller = `appid=${oid};oid=${oid};iss=https://sts.windows.net/${tid}/`;
    if (inner === "none") return { error: { code: "Forbidden", message: "Access denied" } };
    const message =
      inner === "ForbiddenByPolicy"
        ? `The policy requires the caller '${caller}' to use on-behalf-of (OBO) flow. For more information on OBO, please see https://go.microsoft.com/fwlink/?linkid=2152310`
        : `The user, group or application '${caller}' does not have secrets ${permission} permission on key vault '${vault};location=westeurope'. ` +
          "For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287";
    return { error: { code: "Forbidden", message, innererror: { code: inner } } };
  },
  /** The vault firewall (networkAcls defaultAction Deny) refused the caller's address (hashicorp/terraform-provider-azurerm#20742). */
  forbiddenByFirewall: (oid: string, tid: string, clientAddress: string, vault: string) => ({
    error: {
      code: "Forbidden",
      message:
        `Client address is not authorized and caller is not a trusted service.\r\nClient address: ${clientAddress}\r\n` +
        `Caller: appid=${oid};oid=${oid};iss=https://sts.windows.net/${tid}/\r\nVault: ${vault};location=westeurope`,
      innererror: { code: "ForbiddenByFirewall" },
    },
  }),
  /** publicNetworkAccess Disabled and no approved private link (microsoft/multimodal-ai#171). */
  forbiddenByConnection: (oid: string, tid: string, vault: string) => ({
    error: {
      code: "Forbidden",
      message:
        "Public network access is disabled and request is not from a trusted service nor via an approved private link.\r\n" +
        `Caller: appid=${oid};oid=${oid};iss=https://sts.windows.net/${tid}/\r\nVault: ${vault};location=westeurope`,
      innererror: { code: "ForbiddenByConnection" },
    },
  }),
  /** RBAC model: Key Vault's 403 names the action, the resource (lowercased) and why (no assignment grants it). */
  forbiddenByRbac: (oid: string, tid: string, action: string, resource: string, vault: string) => ({
    error: {
      code: "Forbidden",
      message:
        "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n" +
        `Caller: appid=${oid};oid=${oid};iss=https://sts.windows.net/${tid}/\r\nAction: '${action}'\r\nResource: '${resource.toLowerCase()}'\r\n` +
        `Assignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: ${vault};location=westeurope\r\n`,
      innererror: { code: "ForbiddenByRbac" },
    },
  }),
  notFound: (name: string) => ({
    error: {
      code: "SecretNotFound",
      message: `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    },
  }),
  badParameter: (message: string) => ({ error: { code: "BadParameter", message } }),
  throttled: {
    error: {
      code: "Throttled",
      message: "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached",
    },
  },
  unavailable: { error: { code: "ServiceUnavailable", message: "The service is temporarily unavailable. Please retry." } },
};

/** ARM errors: {"error":{"code","message"}}. */
export const ARM = {
  missingToken: { error: { code: "AuthenticationFailed", message: "Authentication failed. The 'Authorization' header is missing." } },
  badAudience: {
    error: { code: "InvalidAuthenticationTokenAudience", message: "The access token has been obtained for wrong audience or resource." },
  },
  authorizationFailed: (oid: string, action: string, scope: string) => ({
    error: {
      code: "AuthorizationFailed",
      message:
        `The client '${oid}' with object id '${oid}' does not have authorization to perform action '${action}' over scope '${scope}' ` +
        "or the scope is invalid. If access was recently granted, please refresh your credentials.",
    },
  }),
  notFound: (what: string) => ({ error: { code: "ResourceNotFound", message: `The Resource '${what}' was not found.` } }),
  badRequest: (message: string) => ({ error: { code: "BadRequest", message } }),
};
