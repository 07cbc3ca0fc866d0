// The HTML of the identity's pages: one plain, accessible layout without external assets or scripts, and escaping.
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
}

const ENTITIES: Readonly<Record<string, string>> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;'}

/** Text for an HTML text node or a quoted attribute value. */
function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => ENTITIES[c])
}

/** A trusted HTML fragment (already escaped where it holds outside text). */
export interface Html {
  readonly html: string
}

export const raw = (html: string): Html => ({html})

/** A tagged template that escapes every interpolated value unless it is an Html fragment (or a list of them). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]
  values.forEach((value, i) => {
    const items = Array.isArray(value) ? value : [value]
    out += items.map((item) => (typeof item === 'object' && item !== null && 'html' in item ? (item as Html).html : escapeHtml(item))).join('')
    out += strings[i + 1]
  })
  return {html: out}
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24;line-height:1.5}
main{max-width:26rem;margin:3rem auto;padding:1.5rem 2rem;background:#fff;border:1px solid #d0d4da;border-radius:6px}
h1{font-size:1.4rem;margin-top:0}
label{display:block;font-weight:600;margin-top:1rem}
input[type=text],input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;border:1px solid #8a939e;border-radius:4px}
input:focus,button:focus{outline:3px solid #0b5cad;outline-offset:1px}
button{margin-top:1.25rem;padding:.55rem 1.1rem;font-size:1rem;border-radius:4px;border:1px solid #0b5cad;background:#0b5cad;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b5cad}
.alert{border-left:4px solid #b00020;background:#fdecee;padding:.5rem .75rem}
.code{font-family:ui-monospace,monospace;font-size:1.4rem;letter-spacing:.1em}
.muted{color:#59626d;font-size:.9rem}
`

export interface PageOptions {
  /** A stable page name, in `<meta name="ppctl-page">`, so clients need not read prose. */
  page: string
  title: string
  /** A stable error name, in `<meta name="ppctl-error">` and shown as an alert with `message`. */
  error?: {code: string; message: string}
  body: Html
}

export function renderPage(options: PageOptions): string {
  const errorMeta = options.error ? html`<meta name="ppctl-error" content="${options.error.code}" />` : raw('')
  const alert = options.error ? html`<p class="alert" role="alert">${options.error.message}</p>` : raw('')
  return html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="ppctl-page" content="${options.page}" />
        ${errorMeta}
        <title>${options.title} · ppctl local platform</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <main>
          <h1>${options.title}</h1>
          ${alert} ${options.body}
        </main>
      </body>
    </html> `.html
}
