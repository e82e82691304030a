// One gate regression: the config, the mutations that inject it, the rules that must fire and what they must say.
import type { ProgramRun } from "../../offline/harness";
import type { Mutation } from "./mutate";

export interface Case {
  readonly title: string;
  /** Config on top of the dev stack. */
  readonly config?: Record<string, string>;
  readonly mutations: readonly Mutation[];
  /** Stack outputs the regression adds (index.ts exporting a value). */
  readonly outputs?: (run: ProgramRun) => Record<string, unknown>;
  /** Exactly the rules that must fire. */
  readonly rules: readonly string[];
  /** What the first rule's message must say (the fix, in the reviewer's terms). */
  readonly says: RegExp;
}
