// The pinned reference files: the fetcher checks every hash before writing, and the tests find ../shared or the cache.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  fetchReference,
  missingOrChanged,
  rawUrl,
  REFERENCE_FILES,
  referenceRoot,
  sha256,
  type ReferenceFile,
} from "../../../scripts/fetch-reference/reference";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ref-"));
const file = (name: string, body: string): [ReferenceFile, Buffer] => {
  const data = Buffer.from(body);
  return [{ path: `x/${name}`, repo: "o/r", commit: "a".repeat(40), repoPath: `p/${name}`, sha256: sha256(data) }, data];
};

describe("pinned reference files", () => {
  it("pins every file by a 40-hex commit and a sha256, at raw.githubusercontent.com", () => {
    expect(REFERENCE_FILES.length).toBeGreaterThanOrEqual(16);
    for (const f of REFERENCE_FILES) {
      expect(f.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(rawUrl(f)).toBe(`https://raw.githubusercontent.com/${f.repo}/${f.commit}/${f.repoPath}`);
    }
    expect(new Set(REFERENCE_FILES.map((f) => f.path)).size).toBe(REFERENCE_FILES.length);
  });

  it("fetches into the cache and checks each hash; a second run downloads nothing", async () => {
    const [a, da] = file("a.json", "{}");
    const [b, db] = file("b.json", "[]");
    const served = new Map([
      [rawUrl(a, "https://m"), da],
      [rawUrl(b, "https://m"), db],
    ]);
    const asked: string[] = [];
    const get = async (url: string) => (asked.push(url), served.get(url)!);
    const dest = tmp();
    expect(await fetchReference(dest, get, { base: "https://m", files: [a, b] })).toBe(2);
    expect(missingOrChanged(dest, [a, b])).toEqual([]);
    expect(await fetchReference(dest, get, { base: "https://m", files: [a, b] })).toBe(0);
    expect(asked).toHaveLength(2);
  });

  it("refuses a file whose bytes differ from the pin, naming it, and writes nothing for it", async () => {
    const [a] = file("a.json", "{}");
    const dest = tmp();
    await expect(fetchReference(dest, async () => Buffer.from("{ tampered }"), { files: [a] })).rejects.toThrow(
      /x\/a\.json .*has sha256 [0-9a-f]{64}, not the pinned/,
    );
    expect(fs.existsSync(path.join(dest, a.path))).toBe(false);
    await expect(fetchReference(dest, async () => Promise.reject(new Error("HTTP 404")), { files: [a] })).rejects.toThrow(
      /could not download x\/a\.json .*HTTP 404/,
    );
  });

  it("finds ../shared or the cache only when every file is there with its pinned hash", async () => {
    const [a, da] = file("a.json", "{}");
    const project = path.join(tmp(), "clone");
    fs.mkdirSync(project);
    expect(referenceRoot(project, [a])).toBeUndefined();
    await fetchReference(path.join(project, ".reference"), async () => da, { files: [a] });
    expect(referenceRoot(project, [a])).toBe(path.join(project, ".reference"));
    fs.writeFileSync(path.join(project, ".reference", a.path), "changed");
    expect(referenceRoot(project, [a])).toBeUndefined();
    fs.mkdirSync(path.join(project, "../shared/x"), { recursive: true });
    fs.writeFileSync(path.join(project, "../shared", a.path), da);
    expect(referenceRoot(project, [a])).toBe(path.resolve(project, "../shared"));
  });
});
