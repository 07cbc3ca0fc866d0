// Opens a URL in the system browser without a shell: xdg-open, open, rundll32, or the program BROWSER names.
import {spawn} from 'node:child_process'

/** The program and its arguments; undefined where no browser can be opened (no display on Linux). */
export function browserCommand(url: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string[] | undefined {
  // BROWSER may list several programs (a:b:c); the first is used, with the URL as its one argument. `%s` is not expanded.
  const named = env.BROWSER?.split(platform === 'win32' ? ';' : ':')[0]?.trim()
  if (named) return [named, url]
  if (platform === 'darwin') return ['open', url]
  // `start` is a cmd built-in: cmd would parse the URL's & and ^. rundll32 hands it to the default browser as it is.
  if (platform === 'win32') return ['rundll32', 'url.dll,FileProtocolHandler', url]
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined
  return ['xdg-open', url]
}

/** Starts the browser and does not wait for it; resolves false when there is none or it could not be started. */
export function openBrowser(url: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const argv = browserCommand(url, env)
  if (!argv) return Promise.resolve(false)
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), {shell: false, stdio: 'ignore', detached: true, env})
    child.once('error', () => resolve(false))
    child.once('spawn', () => {
      child.unref()
      resolve(true)
    })
  })
}
