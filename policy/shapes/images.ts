// The images a seat may boot: the two Data Science VM marketplace images, written here as literals (not imported from
// lib/azure/images.ts), so a PR that changes the program's image must also change the policy, which CODEOWNERS reviews.
// tests/policy/shapes.test.ts checks lib/azure/images.ts still matches.

export interface ImageReference {
  readonly publisher: string;
  readonly offer: string;
  readonly sku: string;
  readonly version: string;
}

export const LAB_IMAGES: Readonly<Record<"ubuntu" | "windows", ImageReference>> = {
  ubuntu: { publisher: "microsoft-dsvm", offer: "ubuntu-2204", sku: "2204-gen2", version: "latest" },
  windows: { publisher: "microsoft-dsvm", offer: "dsvm-win-2022", sku: "winserver-2022", version: "latest" },
};
