// Where ppctl keeps its files on each OS (XDG on Linux, ~/Library on macOS, %APPDATA% on Windows).
import {homedir} from 'node:os'
import {join} from 'node:path'

export interface Paths {
  /** Profiles and settings (config.json). */
  config: string
  /** Non-secret caches (routing). */
  cache: string
  /** Data that is not configuration: the local platform's default data folder lives here. */
  data: string
}

export function resolvePaths(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = env.HOME || env.USERPROFILE || homedir(),
): Paths {
  const override = env.PPCTL_CONFIG_DIR
  if (override) return {config: override, cache: join(override, 'cache'), data: join(override, 'data')}
  if (platform === 'win32') {
    const roaming = env.APPDATA || join(home, 'AppData', 'Roaming')
    const local = env.LOCALAPPDATA || join(home, 'AppData', 'Local')
    return {config: join(roaming, 'ppctl'), cache: join(local, 'ppctl', 'Cache'), data: join(local, 'ppctl', 'Data')}
  }
  if (platform === 'darwin') {
    const support = join(home, 'Library', 'Application Support', 'ppctl')
    return {config: support, cache: join(home, 'Library', 'Caches', 'ppctl'), data: join(support, 'data')}
  }
  const xdg = (name: string, fallback: string) => {
    const value = env[name]
    // XDG says relative paths are invalid and must be ignored.
    return value && value.startsWith('/') ? value : join(home, fallback)
  }
  return {
    config: join(xdg('XDG_CONFIG_HOME', '.config'), 'ppctl'),
    cache: join(xdg('XDG_CACHE_HOME', '.cache'), 'ppctl'),
    data: join(xdg('XDG_DATA_HOME', join('.local', 'share')), 'ppctl'),
  }
}
