import { markdownTable, textTable } from "../../../scripts/shared/text-table";

describe("textTable", () => {
  it("pads each column to its widest cell, two spaces apart, with no trailing spaces", () => {
    expect(
      textTable([
        ["a", "bb", "c"],
        ["ccc", "d", ""],
      ]),
    ).toEqual(["a    bb  c", "ccc  d"]);
  });
  it("draws a rule under the headers when asked, as wide as each column", () => {
    expect(
      textTable(
        [
          ["key", "v"],
          ["longer", "x"],
        ],
        { rule: true },
      ),
    ).toEqual(["key     v", "------  -", "longer  x"]);
  });
  it("prints nothing for no rows", () => {
    expect(textTable([])).toEqual([]);
  });
});

describe("markdownTable", () => {
  it("writes a header, an alignment row (numeric columns right-aligned) and the rows", () => {
    expect(markdownTable(["name", "ms"], [["plan", "12"]], [1])).toEqual(["| name | ms |", "| --- | ---: |", "| plan | 12 |"]);
  });
});
