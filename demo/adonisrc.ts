import { defineConfig } from '@adonisjs/core/app'

export default defineConfig({
  commands: [() => import('@adonisjs/core/commands')],

  providers: [
    () => import('@adonisjs/core/providers/app_provider'),
    () => import('@adonisjs/core/providers/hash_provider'),
    () => import('@adonisjs/core/providers/edge_provider'),
    () => import('@adonisjs/session/session_provider'),
    () => import('@adonisjs/auth/auth_provider'),
    () => import('@adonisjs/drive/drive_provider'),
    // In an app: () => import('djamazing/djamazing_provider')
    () => import('../providers/djamazing_provider.ts'),
  ],

  preloads: [() => import('./start/routes.ts'), () => import('./start/kernel.ts')],
})
