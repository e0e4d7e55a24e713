/**
 * Where `node ace configure djamazing` finds its stubs, from the sources
 * and from the build alike (the stubs are copied next to the build).
 */
export const stubsRoot = import.meta.dirname
