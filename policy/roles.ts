// Built-in Azure roles the gate knows by id: name, actions and data actions, from the policy's own baseline
// (policy/baseline.ts), never from lib/azure/roles.ts. An assignment to a role id that is neither here, nor one of the
// lab's custom roles, is a violation: its permissions cannot be judged.
import { BASELINE_BUILTIN_ROLES, BaselineRole } from "./baseline";

export type RolePermissions = BaselineRole;

/** Also what the plan's access matrix (offline/access-matrix.ts) names roles by. */
export const BUILTIN_NAMES: Readonly<Record<string, RolePermissions>> = BASELINE_BUILTIN_ROLES;
