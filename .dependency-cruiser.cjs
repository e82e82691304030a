// The layers, lowest first (docs/architecture.md draws them): lib/ (pure domain), probe/ (the in-VM probes and their
// contract), components/ (the in-VM check ships the probe), policy/, offline/ (the program under Pulumi's mocks and the offline Azure models), then
// index.ts and the commands (scripts/<command>/, sharing scripts/shared/), then tests/. bootstrap/ is its own
// Pulumi project that may share lib/ only. twin/ (the local Azure twin) is a dev tool for tests and `npm run bench`.
// A folder may import its own layer and those below it; nothing imports tests/.
const layer = (name, from, forbidden, comment) => ({ name, comment, severity: "error", from: { path: from }, to: { path: forbidden } });

module.exports = {
  forbidden: [
    layer(
      "lib-is-pure",
      "^lib/",
      "^(components|probe|policy|offline|scripts|bootstrap|twin|tests|examples)/|^index\\.ts$",
      "lib/ imports nothing of ours outside lib/",
    ),
    layer(
      "components-on-lib",
      "^components/",
      "^(policy|offline|scripts|bootstrap|twin|tests|examples)/|^index\\.ts$",
      "components/ build on lib/ and probe/ (the in-VM check ships the probe)",
    ),
    layer(
      "probe-on-lib",
      "^probe/",
      "^(components|policy|offline|scripts|bootstrap|twin|tests|examples)/|^index\\.ts$",
      "probe/ (the probes, their contract and lint) builds on lib/ only",
    ),
    layer(
      "policy-below-commands",
      "^policy/",
      "^(offline|scripts|bootstrap|twin|tests|examples)/|^index\\.ts$",
      "policy/ builds on lib/, components/ and probe/, never on the offline engine or the commands",
    ),
    layer(
      "offline-below-commands",
      "^offline/",
      "^(scripts|bootstrap|twin|tests|examples)/|^index\\.ts$",
      "offline/ builds on lib/, components/, probe/ and policy/; the commands and tests build on it",
    ),
    layer(
      "bootstrap-shares-lib-only",
      "^bootstrap/",
      "^(components|probe|policy|offline|scripts|twin|tests|examples)/|^index\\.ts$",
      "bootstrap/ is its own project: it may share lib/ only",
    ),
    layer(
      "program-not-on-commands",
      "^index\\.ts$",
      "^(scripts|policy|offline|bootstrap|twin|tests|examples)/",
      "the program is config, validated config, components and outputs",
    ),
    layer(
      "twin-is-a-dev-tool",
      "^twin/",
      "^(components|policy|offline|scripts|bootstrap|tests|examples)/|^probe/(?!(contract|scripts)\\.ts$)|^index\\.ts$",
      "the twin stands alone but for the probe's contract and files (it answers what the probe asks, and runs it): tests and bench use it",
    ),
    layer(
      "only-tests-and-bench-use-the-twin",
      "^(lib|components|probe|policy|offline|bootstrap|examples)/|^index\\.ts$|^scripts/(?!bench/)",
      "^twin/",
      "shipped code never starts the twin; only tests and npm run bench do",
    ),
    layer("nothing-imports-tests", "^(?!tests/)", "^tests/", "nothing shipped imports tests"),
    // One folder per command: a command imports its own folder and scripts/shared/, never another command's
    // ($1 is the importing command's folder). The bench is the one exception: it measures verify.
    {
      name: "one-folder-per-command",
      comment: "a command imports its own folder and scripts/shared/ only; what two commands share moves to scripts/shared/",
      severity: "error",
      from: { path: "^scripts/([^/]+)/", pathNot: "^scripts/bench/" },
      to: { path: "^scripts/[^/]+/", pathNot: ["^scripts/$1/", "^scripts/shared/"] },
    },
    {
      name: "bench-measures-verify-only",
      comment: "the bench imports its own folder, scripts/shared/ and the verify it measures",
      severity: "error",
      from: { path: "^scripts/bench/" },
      to: { path: "^scripts/[^/]+/", pathNot: ["^scripts/(bench|shared|verify)/"] },
    },
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|bin|\\.reference)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["cjs", "es6"],
  },
};
