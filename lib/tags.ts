// The one place lab tags are applied: a stack transformation that adds them to every taggable resource.
// Legacy registerStackTransformation on purpose: the new-style registerResourceTransform needs the engine's transform
// support, which the SDK's mock monitor lacks (supportsTransforms=false), so the offline plan and tests could not see it.
import * as pulumi from "@pulumi/pulumi";
import { TYPE } from "./azure/tokens";

/**
 * azure-native resource types whose arguments accept `tags`. Not AccessPolicy, Subnet, RoleAssignment or
 * RoleDefinition: ARM has no tags for them. tests/lib/lifecycle.test.ts checks this list against the SDK's own types
 * for every type the program registers, so a new resource type cannot slip by untagged.
 */
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set([
  TYPE.resourceGroup,
  TYPE.nsg,
  TYPE.publicIp,
  TYPE.nat,
  TYPE.vnet,
  TYPE.nic,
  TYPE.bastion,
  TYPE.vm,
  TYPE.extension,
  TYPE.runCommandByVm,
  TYPE.schedule,
  TYPE.vault,
  TYPE.secret,
  TYPE.storage,
]);

/** The props with `tags` merged in (lab tags win), or undefined when the type takes no tags. */
export function withTags(
  type: string,
  props: Record<string, unknown>,
  tags: Readonly<Record<string, string>>,
): Record<string, unknown> | undefined {
  if (!TAGGABLE_TYPES.has(type)) return undefined;
  const own = props.tags;
  const merged =
    own === undefined || own === null
      ? { ...tags }
      : pulumi.Output.isInstance(own) || own instanceof Promise
        ? pulumi.output(own as pulumi.Input<Record<string, string>>).apply((t) => ({ ...t, ...tags }))
        : { ...(own as Record<string, string>), ...tags };
  return { ...props, tags: merged };
}

/** Registers the transformation; call before the first resource. */
export function registerLabTags(tags: Readonly<Record<string, string>>): void {
  pulumi.runtime.registerStackTransformation((args) => {
    const props = withTags(args.type, args.props, tags);
    return props ? { props, opts: args.opts } : undefined;
  });
}
