// How the property pins read a reference: to a resource of this plan, whether ids are known yet or not.
import { known, PolicyResourceView } from "../engine";
import { azureName, dependsOn, sameId } from "../graph";

/**
 * Whether a reference names `target`, a resource of this plan. Known on both sides: the ids, ignoring case. The
 * target's id not known yet (preview): a known value must still name it (its Azure name, its parent's, its resource
 * group) and come from it; an unknown value must come from it.
 */
export function pointsAt(
  value: unknown,
  holder: PolicyResourceView,
  target: PolicyResourceView,
  nameKey: string,
  parentKey?: string,
): boolean {
  const id = target.id ?? target.props.id;
  if (!known(value)) return dependsOn(holder, target);
  if (known(id)) return sameId(value, id);
  const segs = value.toLowerCase().split("/").filter(Boolean);
  const same = (i: number, v: unknown) => !known(v) || segs[i] === v.toLowerCase();
  return (
    segs[segs.length - 1] === azureName(target, nameKey).toLowerCase() &&
    same(segs.length - 3, parentKey && target.inputs[parentKey]) &&
    same(3, target.inputs.resourceGroupName) &&
    dependsOn(holder, target)
  );
}
