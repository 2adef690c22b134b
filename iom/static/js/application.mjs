// IOM caseload – front-end entry point.
//
// Loaded from templates/base.html as
//   <script type="module" src="/static/js/application.mjs"></script>
// The content security policy is `script-src 'self'`: no inline scripts, so
// everything the page needs to start happens here.
//
// The two libraries are copied into ../build/ by assets/build-js.mjs
// (`npm run build`).

import { initAll as initGovukFrontend } from '../build/govuk-frontend.min.js'
import { initAll as initMojFrontend } from '../build/moj-frontend.min.js'

// Browsers that run ES modules support GOV.UK Frontend. These classes switch
// on the JavaScript-enhanced styles (for example the service navigation menu
// button on small screens).
document.body.classList.add('js-enabled', 'govuk-frontend-supported')

initGovukFrontend()
initMojFrontend()
