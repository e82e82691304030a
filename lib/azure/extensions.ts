// The VM extensions a seat runs: Entra ID sign-in only.

/**
 * Entra ID sign-in over SSH (https://learn.microsoft.com/entra/identity/devices/howto-vm-sign-in-azure-ad-linux).
 * 1.0 is the current major version; autoUpgradeMinorVersion keeps it patched.
 */
export const AAD_SSH_LOGIN_EXTENSION = {
  publisher: "Microsoft.Azure.ActiveDirectory",
  type: "AADSSHLoginForLinux",
  typeHandlerVersion: "1.0",
} as const;

/**
 * Entra ID sign-in over RDP (https://learn.microsoft.com/entra/identity/devices/howto-vm-sign-in-azure-ad-windows):
 * the VM joins Entra ID and "Virtual Machine User Login" admits the lab users. 2.0 is the current major version.
 */
export const AAD_WINDOWS_LOGIN_EXTENSION = {
  publisher: "Microsoft.Azure.ActiveDirectory",
  type: "AADLoginForWindows",
  typeHandlerVersion: "2.0",
} as const;
