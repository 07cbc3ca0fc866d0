// Which program opens the browser: never a shell; BROWSER first; no display on Linux means no browser (the address is printed).
import {expect} from 'chai'

import {browserCommand} from '../../../src/lib/auth/open-browser.js'

const url = 'https://login.example.com/auth?a=1&b=2^3'

describe('browserCommand', () => {
  it('uses xdg-open on Linux with a display, open on macOS, rundll32 on Windows (cmd would parse & and ^)', () => {
    expect(browserCommand(url, {DISPLAY: ':0'}, 'linux')).to.deep.equal(['xdg-open', url])
    expect(browserCommand(url, {WAYLAND_DISPLAY: 'wayland-0'}, 'linux')).to.deep.equal(['xdg-open', url])
    expect(browserCommand(url, {}, 'darwin')).to.deep.equal(['open', url])
    expect(browserCommand(url, {}, 'win32')).to.deep.equal(['rundll32', 'url.dll,FileProtocolHandler', url])
  })

  it('honours BROWSER (its first entry), the URL as one argument', () => {
    expect(browserCommand(url, {BROWSER: 'firefox:chromium'}, 'linux')).to.deep.equal(['firefox', url])
    expect(browserCommand(url, {BROWSER: 'w3m'}, 'darwin')).to.deep.equal(['w3m', url])
  })

  it('opens nothing on Linux without a display', () => {
    expect(browserCommand(url, {}, 'linux')).to.equal(undefined)
  })
})
