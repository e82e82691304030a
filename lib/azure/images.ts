// The marketplace images a seat runs, and what Azure requires of their disks.

/**
 * The DSVM marketplace image. No `plan` block: microsoft-dsvm images are first-party and free, so
 * `az vm image show --urn microsoft-dsvm:ubuntu-2204:2204-gen2:latest` reports `plan: null`, and Microsoft's own
 * quickstart (azure-quickstart-templates, vm-ubuntu-DSVM-GPU-or-CPU) deploys it without one. Adding a plan for an
 * image that has none fails the deployment, so none is sent.
 */
export const DSVM_IMAGE = { publisher: "microsoft-dsvm", offer: "ubuntu-2204", sku: "2204-gen2", version: "latest" } as const;

/**
 * The Windows DSVM image. No `plan` block either: dsvm-win-2022 is first-party and free like the Ubuntu image, and
 * the public deployments of it we found (Azure Verified Modules' virtual-machine Bicep, Terraform
 * azurerm_windows_virtual_machine examples) send `microsoft-dsvm:dsvm-win-2022:winserver-2022` without one; a
 * Terraform example that had a plan block carried it commented out. Check with
 * `az vm image show --urn microsoft-dsvm:dsvm-win-2022:winserver-2022:latest` (`plan: null`) before a first deploy.
 */
export const DSVM_WINDOWS_IMAGE = {
  publisher: "microsoft-dsvm",
  offer: "dsvm-win-2022",
  sku: "winserver-2022",
  version: "latest",
} as const;

/** The image a seat runs, by config `os`. */
export type SeatOs = "ubuntu" | "windows";

/** The DSVM image's own OS disk, GiB: a smaller osDisk.diskSizeGB is refused by Azure. */
export const DSVM_IMAGE_DISK_GB = 150;
