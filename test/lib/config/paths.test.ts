// Where ppctl keeps its files on each OS, and the PPCTL_CONFIG_DIR override.
import {expect} from 'chai'
import {join} from 'node:path'

import {resolvePaths} from '../../../src/lib/config/paths.js'

describe('resolvePaths', () => {
  const home = '/home/ada'

  it('Linux: XDG defaults under the home folder', () => {
    expect(resolvePaths({}, 'linux', home)).to.deep.equal({
      config: join(home, '.config', 'ppctl'),
      cache: join(home, '.cache', 'ppctl'),
      data: join(home, '.local', 'share', 'ppctl'),
    })
  })

  it('Linux: absolute XDG_* variables win', () => {
    const env = {XDG_CONFIG_HOME: '/xdg/config', XDG_CACHE_HOME: '/xdg/cache', XDG_DATA_HOME: '/xdg/data'}
    expect(resolvePaths(env, 'linux', home)).to.deep.equal({config: '/xdg/config/ppctl', cache: '/xdg/cache/ppctl', data: '/xdg/data/ppctl'})
  })

  it('Linux: relative XDG_* variables are ignored, as the spec says', () => {
    expect(resolvePaths({XDG_CONFIG_HOME: 'relative/config'}, 'linux', home).config).to.equal(join(home, '.config', 'ppctl'))
  })

  it('macOS: Library/Application Support and Library/Caches', () => {
    expect(resolvePaths({XDG_CONFIG_HOME: '/ignored'}, 'darwin', '/Users/ada')).to.deep.equal({
      config: join('/Users/ada', 'Library', 'Application Support', 'ppctl'),
      cache: join('/Users/ada', 'Library', 'Caches', 'ppctl'),
      data: join('/Users/ada', 'Library', 'Application Support', 'ppctl', 'data'),
    })
  })

  it('Windows: %APPDATA% for config, %LOCALAPPDATA% for cache and data', () => {
    const env = {APPDATA: 'C:\\Users\\ada\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local'}
    const paths = resolvePaths(env, 'win32', 'C:\\Users\\ada')
    expect(paths.config).to.equal(join(env.APPDATA, 'ppctl'))
    expect(paths.cache).to.equal(join(env.LOCALAPPDATA, 'ppctl', 'Cache'))
    expect(paths.data).to.equal(join(env.LOCALAPPDATA, 'ppctl', 'Data'))
  })

  it('Windows: falls back to AppData under the home folder without the variables', () => {
    const paths = resolvePaths({}, 'win32', 'C:\\Users\\ada')
    expect(paths.config).to.equal(join('C:\\Users\\ada', 'AppData', 'Roaming', 'ppctl'))
    expect(paths.cache).to.equal(join('C:\\Users\\ada', 'AppData', 'Local', 'ppctl', 'Cache'))
  })

  for (const platform of ['linux', 'darwin', 'win32'] as const) {
    it(`PPCTL_CONFIG_DIR overrides everything on ${platform}`, () => {
      const env = {PPCTL_CONFIG_DIR: '/tmp/ppctl-here', XDG_CONFIG_HOME: '/xdg', APPDATA: 'C:\\AppData'}
      expect(resolvePaths(env, platform, home)).to.deep.equal({
        config: '/tmp/ppctl-here',
        cache: join('/tmp/ppctl-here', 'cache'),
        data: join('/tmp/ppctl-here', 'data'),
      })
    })
  }

  it('uses HOME from the environment when no home is passed', () => {
    expect(resolvePaths({HOME: '/home/bob'}, 'linux').config).to.equal('/home/bob/.config/ppctl')
  })
})
