// One entry per real Azure (or provider) behaviour that the lab, its twin or its plan relies on. Each has a source
// that is not us: Microsoft's code, docs or REST specs, the provider's source, or a real response quoted in a public
// thread. docs/conformance.md is generated from these entries; tests/lib/conformance.test.ts checks that each entry's
// `coveredBy` test files exist and name the entry's id.

export interface ConformanceSource {
  /** A URL, or `owner/repo#123`, or `owner/repo:path@commit`. */
  readonly ref: string;
  /** When the source said it: the thread's, doc's or commit's date (YYYY or YYYY-MM-DD), as precise as known. */
  readonly date: string;
  /** The words that settle it, quoted (short). */
  readonly quote?: string;
}

export interface ConformanceEntry {
  /** Stable id, kebab-case; tests that cover the entry mention it. */
  readonly id: string;
  readonly service: "keyvault" | "storage" | "compute" | "imds" | "arm" | "authorization" | "pulumi-azure-native" | "pulumi";
  /** What Azure does, in one or two sentences. */
  readonly behaviour: string;
  /** Where Azure answers in more than one way: each variant the twin can produce (tests run against each). */
  readonly variants?: readonly string[];
  /** What the lab does about it. */
  readonly consequence: string;
  readonly sources: readonly ConformanceSource[];
  /** Repo-relative test files that exercise the behaviour; each contains the id. */
  readonly coveredBy: readonly string[];
  /** The date the entry was checked against its sources (YYYY-MM-DD). */
  readonly checked: string;
}
