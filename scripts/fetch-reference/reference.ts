// The third-party reference files some tests read (Azure's REST specs and examples, Pulumi's project schema), pinned
// by commit and sha256. They are not copied into the repository: developers have them in ../shared, and anyone else
// fetches exactly these bytes with `npm run fetch-reference` into .reference/ (git-ignored). Same layout in both.
import { sha256Hex } from "../../lib/fingerprint";
import * as fs from "fs";
import * as path from "path";

export interface ReferenceFile {
  /** Where the file sits under ../shared or .reference/. */
  readonly path: string;
  readonly repo: string;
  readonly commit: string;
  /** The file's path in its repository at that commit. */
  readonly repoPath: string;
  readonly sha256: string;
}

/** Every pinned file: Azure/azure-rest-api-specs files are MIT, pulumi/pulumi's schema is Apache-2.0. */
export const REFERENCE_FILES: readonly ReferenceFile[] = [
  {
    path: "azure-rest-specs/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/secrets.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "406a1f36a26f93eb601666296b8f225e8eee0444",
    repoPath: "specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/secrets.json",
    sha256: "742269d26fa007d8a3e66dc9b84a9210e04f180e20c8426bb73eaf0bc08efd00",
  },
  {
    path: "azure-rest-specs/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/common.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "406a1f36a26f93eb601666296b8f225e8eee0444",
    repoPath: "specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/common.json",
    sha256: "0ddd789b996fdba417b1350ae447e0e76765b3e47fa0e305b5a21b72ad010dbb",
  },
  {
    path: "azure-rest-specs/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/examples/GetSecret-example.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "406a1f36a26f93eb601666296b8f225e8eee0444",
    repoPath: "specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/examples/GetSecret-example.json",
    sha256: "1c8f850aedc0485b6dcf06697c176412519ac33bf9de5d4fbeec278e72157998",
  },
  {
    path: "azure-rest-specs/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/examples/SetSecret-example.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "406a1f36a26f93eb601666296b8f225e8eee0444",
    repoPath: "specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/examples/SetSecret-example.json",
    sha256: "e4486f8ff25a5d7fd7c005057303c2132c6073744da45da6a3185a7ce21f42fd",
  },
  {
    path: "azure-rest-specs/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/examples/GetSecrets-example.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "35308d2c174bea2b05788d94d0b4a7e041b1d457",
    repoPath: "specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/examples/GetSecrets-example.json",
    sha256: "1e5c62de87fe982d878ffd014c78312d6fb4ec8e99c8799f09a82c7e359d1c84",
  },
  {
    path: "azure-rest-specs/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/examples/DeleteSecret-example.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "7a4e56a3b3e43672e8a702f428ca8e024db05066",
    repoPath: "specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/examples/DeleteSecret-example.json",
    sha256: "2617118740d4fb5ec2d300d3a10cc9158dc18f5af2987ac156d4e67a3ed07949",
  },
  {
    path: "azure-rest-specs/imds/data-plane/Microsoft.InstanceMetadataService/stable/2018-02-01/imds.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "96d300ce42a6c532e88aec84f1bca3d93ee3a141",
    repoPath: "specification/imds/data-plane/Microsoft.InstanceMetadataService/stable/2018-02-01/imds.json",
    sha256: "2a3cc9c5bb394c225d3c72e21c9fee8136b6a0a51806228d1a0da6c49aa72a88",
  },
  {
    path: "azure-rest-specs/imds/data-plane/Microsoft.InstanceMetadataService/stable/2018-02-01/examples/getIdentityToken.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "294a072a227f8137a8e63f3329e2f511a094a81e",
    repoPath: "specification/imds/data-plane/Microsoft.InstanceMetadataService/stable/2018-02-01/examples/getIdentityToken.json",
    sha256: "0522f801092b088a4957552e8ec4b46d83e7bd498f81469598d81cc742614f3e",
  },
  {
    path: "azure-rest-specs/imds/data-plane/Microsoft.InstanceMetadataService/stable/2018-02-01/examples/getIdentityInfo.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "dd68c545b43b91166baa3345006f29c301e8984b",
    repoPath: "specification/imds/data-plane/Microsoft.InstanceMetadataService/stable/2018-02-01/examples/getIdentityInfo.json",
    sha256: "d6469e57b5580ecfd00e842f5114815b23182713efa53f5d4dc1496f91d836bf",
  },
  {
    path: "azure-rest-specs/imds/data-plane/Microsoft.InstanceMetadataService/stable/2023-07-01/imds.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "380dec57a00df2c527c1f81ab06227543cf45b34",
    repoPath: "specification/imds/data-plane/Microsoft.InstanceMetadataService/stable/2023-07-01/imds.json",
    sha256: "16b2854aacc738030f046544a383b49099f59cd6a452d7e86a586ba5fdf90669",
  },
  {
    path: "azure-rest-specs/imds/data-plane/Microsoft.InstanceMetadataService/stable/2021-12-13/examples/GetIdentityToken.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "4984b1579aa6bada687da829863e82fd2df8d970",
    repoPath: "specification/imds/data-plane/Microsoft.InstanceMetadataService/stable/2021-12-13/examples/GetIdentityToken.json",
    sha256: "e503df80a33bf6e4c879244c4071affbb0dba6dbbee377aed89dd32283b6d2eb",
  },
  {
    path: "azure-rest-specs/storage/resource-manager/Microsoft.Storage/stable/2025-08-01/examples/StorageAccountListKeys.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "639a2037a0d271fd2052b3b7b02c9cdc50d74e76",
    repoPath: "specification/storage/resource-manager/Microsoft.Storage/stable/2025-08-01/examples/StorageAccountListKeys.json",
    sha256: "870626ef4b422339e9b86e02617316ee3911d86bb56c8f545e86f25e4be084ff",
  },
  {
    path: "azure-rest-specs/compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2025-04-01/examples/runCommandExamples/VirtualMachineRunCommand.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "f2a212d2baf9f715a45703d1fb9940f68521ac8a",
    repoPath:
      "specification/compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2025-04-01/examples/runCommandExamples/VirtualMachineRunCommand.json",
    sha256: "7f726b1171dbdf832e2adcf97bf60797e2292b2ae0d952df8024a29f87fa564d",
  },
  {
    path: "azure-rest-specs/compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2025-04-01/examples/runCommandExamples/VirtualMachineRunCommand_CreateOrUpdate.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "5b99dcb9d6ef91467e8a79ffd3bd2ab72e619f65",
    repoPath:
      "specification/compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2025-04-01/examples/runCommandExamples/VirtualMachineRunCommand_CreateOrUpdate.json",
    sha256: "f7ce33ba99fea53db173341e84be7d273f94d341cf2890a2e6f51808c1b4cb2a",
  },
  {
    path: "azure-rest-specs/compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2025-04-01/examples/runCommandExamples/VirtualMachineRunCommand_Get.json",
    repo: "Azure/azure-rest-api-specs",
    commit: "fb205a8b8b61361fabcef8f5e72f784c91e85922",
    repoPath:
      "specification/compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2025-04-01/examples/runCommandExamples/VirtualMachineRunCommand_Get.json",
    sha256: "471871a060307d84309d9d4df0cf9fafe3932468dc4c136a7cebcb82823e0e0d",
  },
  {
    path: "pulumi-schemas/project.json",
    repo: "pulumi/pulumi",
    commit: "0498be116be896fa28b5af4746ad197666167d85",
    repoPath: "sdk/go/common/workspace/project.json",
    sha256: "2002d197ef67648db8f92982012421d285459b3c14d135a5743abab0429eca93",
  },
];

/** Where `npm run fetch-reference` writes: git-ignored. */
export const CACHE_DIR = ".reference";
export const RAW_BASE = "https://raw.githubusercontent.com";

export const sha256 = sha256Hex;

/** The file's download address: raw.githubusercontent.com at the pinned commit (or a mirror with the same layout). */
export function rawUrl(f: ReferenceFile, base = RAW_BASE): string {
  return `${base.replace(/\/+$/, "")}/${f.repo}/${f.commit}/${f.repoPath}`;
}

/** The files of `files` that are missing from `dir` or differ from their pin. */
export function missingOrChanged(dir: string, files: readonly ReferenceFile[] = REFERENCE_FILES): ReferenceFile[] {
  return files.filter((f) => {
    const at = path.join(dir, f.path);
    return !fs.existsSync(at) || sha256(fs.readFileSync(at)) !== f.sha256;
  });
}

/**
 * The folder holding every pinned file, or undefined: ../shared beside the project (developers, CI) first, then the
 * fetched cache. A folder with any file missing or changed does not count.
 */
export function referenceRoot(projectRoot: string, files: readonly ReferenceFile[] = REFERENCE_FILES): string | undefined {
  for (const dir of [path.resolve(projectRoot, "../shared"), path.join(projectRoot, CACHE_DIR)]) {
    if (fs.existsSync(dir) && missingOrChanged(dir, files).length === 0) return dir;
  }
  return undefined;
}

/** Downloads bytes; injectable for tests. */
export type Download = (url: string) => Promise<Buffer>;

/**
 * Fetches every file into `dest`, checking each one's sha256 before it is written. A mismatch or a failed download
 * throws naming the file and writes nothing for it; files already present with the right hash are kept.
 */
export async function fetchReference(
  dest: string,
  download: Download,
  opts: { base?: string; files?: readonly ReferenceFile[]; log?: (line: string) => void } = {},
): Promise<number> {
  const files = opts.files ?? REFERENCE_FILES;
  let fetched = 0;
  for (const f of missingOrChanged(dest, files)) {
    const url = rawUrl(f, opts.base);
    let data: Buffer;
    try {
      data = await download(url);
    } catch (e) {
      throw new Error(`could not download ${f.path} from ${url}: ${(e as Error).message}`, { cause: e });
    }
    const got = sha256(data);
    if (got !== f.sha256)
      throw new Error(`${f.path} from ${url} has sha256 ${got}, not the pinned ${f.sha256}; nothing was written for it`);
    const at = path.join(dest, f.path);
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.writeFileSync(`${at}.part`, data);
    fs.renameSync(`${at}.part`, at);
    opts.log?.(`fetched ${f.path} (${f.repo}@${f.commit.slice(0, 12)})`);
    fetched++;
  }
  return fetched;
}
