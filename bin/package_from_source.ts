/*
 * `djamazing` and `djamazing/...` resolved to this repository's sources,
 * for the demo (an app that imports the package by name, as an installed
 * app does) run from here by `npm run demo`: each name of the package's
 * exports map, its `build/**.js` target read as the `.ts` it is built
 * from. Type checking maps the same names with tsconfig.json's `paths`.
 */
import { readFileSync } from 'node:fs'
import { registerHooks } from 'node:module'

const ROOT = new URL('../', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as {
  name: string
  exports: Record<string, string>
}

function sourceOf(target: string): string {
  return target.replace(/^\.\/build\/(.*)\.js$/, './$1.ts')
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    const { name, exports } = manifest
    if (specifier === name || specifier.startsWith(`${name}/`)) {
      const target = exports[`.${specifier.slice(name.length)}`]
      // Resolved on from there, so the file's format is found as for any other.
      if (target) return nextResolve(new URL(sourceOf(target), ROOT).href, context)
    }
    return nextResolve(specifier, context)
  },
})
