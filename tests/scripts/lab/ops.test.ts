// What the lab commands share: a long wait says it is still waiting.
import { withProgress } from "../../../scripts/lab/ops";

describe("withProgress", () => {
  it("says it is still waiting on every tick, and stops when the work settles", async () => {
    jest.useFakeTimers();
    try {
      const lines: string[] = [];
      let finish!: (v: string) => void;
      const waiting = withProgress("purge kv", new Promise<string>((r) => (finish = r)), (l) => lines.push(l), 1000);
      jest.advanceTimersByTime(3000);
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^purge kv: still running \(\d+s\)$/);
      finish("done");
      await expect(waiting).resolves.toBe("done");
      jest.advanceTimersByTime(5000);
      expect(lines).toHaveLength(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
