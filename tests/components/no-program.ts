// The empty program that component tests run under the mocks: the components are built in `beforeProgram` instead
// (tests/helpers/program.ts runComponents), with hand-written args and no index.ts. A function, like index.ts, so it
// runs once per test rather than once per process.
export = (): Record<string, never> => ({});
