// One Azurite per jest run (twin/azurite.ts, tests/jest/azurite-setup.js): twins share it, each with an account of its
// own that no other twin of the run holds, so one twin's containers are invisible (and out of reach) to another.
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import * as fs from "fs";
import * as path from "path";
import { SHARED_AZURITE_ENV } from "../../twin/azurite";
import { useTwin } from "./fixture";

const a = useTwin({});
const b = useTwin({}, { vaultName: "dsvmlab-kv-twin02" });

const client = (endpoint: string, account: { name: string; key: string }) =>
  new BlobServiceClient(endpoint, new StorageSharedKeyCredential(account.name, account.key));

async function containers(blobs: BlobServiceClient): Promise<string[]> {
  const names: string[] = [];
  for await (const c of blobs.listContainers()) names.push(c.name);
  return names;
}

describe("the twins' Azurite", () => {
  it("is one Azurite for the whole run: both twins' blob endpoints have the same port, published by globalSetup", () => {
    const dir = process.env[SHARED_AZURITE_ENV];
    expect(dir).toBeDefined();
    const state = JSON.parse(fs.readFileSync(path.join(dir!, "azurite.json"), "utf8"));
    for (const twin of [a.twin, b.twin]) expect(new URL(twin.blobEndpoint).port).toBe(String(state.port));
  });

  it("gives each twin of the run an account of its own: no two claims of one account, in this file or any other", () => {
    expect(a.twin.storageAccount.name).not.toBe(b.twin.storageAccount.name);
    expect(a.twin.storageAccount.key).not.toBe(b.twin.storageAccount.key);
    expect(a.twin.storageAccountId).toMatch(new RegExp(`/storageAccounts/${a.twin.storageAccount.name}$`));
    expect(new URL(a.twin.blobEndpoint).pathname).toBe(`/${a.twin.storageAccount.name}/`);
    // Every twin of the run (every worker) claims its account with an exclusive create: one claim file per account,
    // and this file's twins hold two of them.
    const dir = process.env[SHARED_AZURITE_ENV]!;
    const claims = fs.readdirSync(dir).filter((f) => f.startsWith("claim-"));
    expect(new Set(claims).size).toBe(claims.length);
    for (const twin of [a.twin, b.twin]) expect(claims).toContain(`claim-${twin.storageAccount.name}`);
    // A third claim of a held account fails: the create is exclusive.
    expect(() => fs.openSync(path.join(dir, `claim-${a.twin.storageAccount.name}`), "wx")).toThrow(/EEXIST/);
  });

  it("keeps one twin's containers invisible to another, and refuses one twin's key on another's account", async () => {
    const mine = client(a.twin.blobEndpoint, a.twin.storageAccount);
    const theirs = client(b.twin.blobEndpoint, b.twin.storageAccount);
    const name = `vm-probe-isolation-${Date.now()}`;
    await mine.createContainer(name);
    try {
      expect(await containers(mine)).toContain(name);
      expect(await containers(theirs)).not.toContain(name);
      // b's account has no such container, even by name.
      expect(await theirs.getContainerClient(name).exists()).toBe(false);
      // a's key signs nothing on b's account, and b's key nothing on a's: Azurite checks each account's own key.
      const crossed = client(b.twin.blobEndpoint, { name: b.twin.storageAccount.name, key: a.twin.storageAccount.key });
      await expect(containers(crossed)).rejects.toMatchObject({ statusCode: 403 });
      const crossedBack = client(a.twin.blobEndpoint, { name: a.twin.storageAccount.name, key: b.twin.storageAccount.key });
      await expect(crossedBack.getContainerClient(name).exists()).rejects.toMatchObject({ statusCode: 403 });
    } finally {
      await mine.deleteContainer(name);
    }
  });

  it("serves no well-known development account: devstoreaccount1 is disabled once accounts are customized", async () => {
    const dev = new URL(a.twin.blobEndpoint);
    dev.pathname = "/devstoreaccount1/";
    // Any base64 key: a wrong key on an account Azurite serves is a 403 (above); here the account is not there: 404.
    const blobs = client(dev.toString(), { name: "devstoreaccount1", key: Buffer.alloc(64, 1).toString("base64") });
    await expect(containers(blobs)).rejects.toMatchObject({ statusCode: 404 });
  });
});
