import { defineConfig } from '@adonisjs/core/app'

export default defineConfig({
  commands: [() => import('@adonisjs/core/commands'), () => import('djamazing/commands')],

  providers: [
    () => import('@adonisjs/core/providers/app_provider'),
    () => import('@adonisjs/core/providers/hash_provider'),
    () => import('@adonisjs/core/providers/edge_provider'),
    () => import('@adonisjs/session/session_provider'),
    () => import('@adonisjs/auth/auth_provider'),
    () => import('@adonisjs/drive/drive_provider'),
    () => import('djamazing/djamazing_provider'),
  ],

  preloads: [() => import('#start/routes'), () => import('#start/kernel')],

  // Copied into build/ by `node ace build`: the templates, and the Uppy
  // page Vite bundles on its first request.
  metaFiles: [
    { pattern: 'resources/views/**/*.edge', reloadServer: false },
    { pattern: 'resources/assets/**', reloadServer: false },
    { pattern: 'resources/uppy/**', reloadServer: false },
  ],
})
