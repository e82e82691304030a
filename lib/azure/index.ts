// Azure facts the lab depends on, one home: type tokens, roles, ids, limits, images, extensions and clouds.
// Each file holds one idea; import from here (`../lib/azure`) or, where a layer must see only part, from the file.
export * from "./tokens";
export * from "./roles";
export * from "./ids";
export * from "./limits";
export * from "./images";
export * from "./extensions";
export * from "./clouds";
