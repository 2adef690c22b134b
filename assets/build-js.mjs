// Copies the front-end JavaScript and the images the compiled CSS needs
// from node_modules into iom/static/build/ (git-ignored, built at install).
//
// Run with `npm run build:js` (after `npm run build:css`: `npm run build`
// does both in the right order).
//
// Output:
//   iom/static/build/govuk-frontend.min.js(.map)  ES module, exports initAll
//   iom/static/build/moj-frontend.min.js(.map)    ES module, exports initAll
//   iom/static/build/assets/images/<file>         each image application.css
//                                                 references, nothing else
//
// No network access, no dependencies beyond Node's standard library.

import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = join(root, 'iom', 'static', 'build')
const imagesOut = join(outDir, 'assets', 'images')
const cssFile = join(outDir, 'application.css')

const govukDist = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
const mojDist = join(root, 'node_modules', '@ministryofjustice', 'frontend', 'moj')

// Matches the $moj-assets-path set in assets/scss/application.scss
const IMAGE_URL_PREFIX = '/static/build/assets/images/'

// This is not a GOV.UK (or MOJ) service: never ship their crown, crest or
// logotypes, even if some unused component's CSS mentions them.
const FORBIDDEN_IMAGE = /crown|crest|logotype|govuk-icon|opengraph|apple-touch|favicon/i

let failed = false

function fail (message) {
  console.error(`build-js: ERROR: ${message}`)
  failed = true
}

function copy (from, to) {
  if (!existsSync(from)) {
    fail(`missing ${from} (has \`npm install\` been run?)`)
    return
  }
  mkdirSync(dirname(to), { recursive: true })
  copyFileSync(from, to)
  console.log(`build-js: ${from.slice(root.length + 1)} -> ${to.slice(root.length + 1)}`)
}

// 1. JavaScript (and source maps, so browser dev tools do not log 404s)
mkdirSync(outDir, { recursive: true })
for (const [dir, name] of [
  [govukDist, 'govuk-frontend.min.js'],
  [mojDist, 'moj-frontend.min.js']
]) {
  copy(join(dir, name), join(outDir, name))
  if (existsSync(join(dir, `${name}.map`))) {
    copy(join(dir, `${name}.map`), join(outDir, `${name}.map`))
  }
}

// 2. Images referenced by the compiled CSS
function referencedImages () {
  if (!existsSync(cssFile)) {
    console.warn(
      `build-js: warning: ${cssFile.slice(root.length + 1)} not found; run \`npm run build:css\` first.` +
        ' Copying all MOJ Frontend icons instead.'
    )
    return readdirSync(join(mojDist, 'assets', 'images')).filter((name) => name.startsWith('icon-'))
  }
  const css = readFileSync(cssFile, 'utf8')
  const names = new Set()
  for (const match of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
    const url = match[1]
    if (url.startsWith('data:')) continue
    if (!url.startsWith(IMAGE_URL_PREFIX)) {
      // Fonts or anything else outside our images folder would be a
      // configuration mistake (we use system fonts only).
      fail(`application.css references ${url}, outside ${IMAGE_URL_PREFIX}`)
      continue
    }
    names.add(url.slice(IMAGE_URL_PREFIX.length).split(/[?#]/)[0])
  }
  return [...names].sort()
}

for (const name of referencedImages()) {
  if (FORBIDDEN_IMAGE.test(name)) {
    console.log(`build-js: skipping ${name} (government branding; only used by components we do not render)`)
    continue
  }
  if (name.includes('/') || name.includes('..')) {
    fail(`unexpected image path ${name}`)
    continue
  }
  const source = [join(mojDist, 'assets', 'images', name), join(govukDist, 'assets', 'images', name)].find(existsSync)
  if (!source) {
    fail(`application.css references ${name}, found in neither MOJ nor GOV.UK Frontend images`)
    continue
  }
  copy(source, join(imagesOut, name))
}

if (failed) {
  process.exit(1)
}
