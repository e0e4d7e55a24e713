import { fileURLToPath } from 'node:url'
import type { Rollup } from 'vite'

/*
 * Uppy is published for bundlers: the demo bundles its Uppy page with Vite
 * on the first request for it, once per process, and serves the result.
 * An app bundles it with the rest of its front end.
 */

const ENTRY = fileURLToPath(new URL('../resources/uppy/uppy_page.ts', import.meta.url))

export type UppyBundle = { js: string; css: string }

let bundle: Promise<UppyBundle> | undefined

export function uppyBundle(): Promise<UppyBundle> {
  bundle ??= bundleUppyPage().catch((error) => {
    bundle = undefined
    throw error
  })
  return bundle
}

async function bundleUppyPage(): Promise<UppyBundle> {
  // Loaded here, not at boot: only the Uppy page needs it.
  const { build } = await import('vite')
  const result = (await build({
    configFile: false,
    logLevel: 'warn',
    root: fileURLToPath(new URL('../resources/uppy/', import.meta.url)),
    // djamazing's Uppy options where Node finds the package for this app.
    resolve: {
      alias: {
        'djamazing/browser/uppy': fileURLToPath(import.meta.resolve('djamazing/browser/uppy')),
      },
    },
    build: {
      write: false,
      minify: false,
      modulePreload: false,
      cssCodeSplit: false,
      rollupOptions: {
        input: ENTRY,
        output: {
          format: 'es',
          entryFileNames: 'uppy.js',
          assetFileNames: 'uppy[extname]',
          inlineDynamicImports: true,
        },
      },
    },
  })) as Rollup.RollupOutput
  let js = ''
  let css = ''
  for (const item of result.output) {
    if (item.type === 'chunk' && item.isEntry) js = item.code
    else if (item.type === 'asset' && item.fileName.endsWith('.css')) css += String(item.source)
  }
  return { js, css }
}
