'use strict';
// The library's build step (added by the e2e test): proves the build ran for the workspace's local packages.
require('fs').writeFileSync(`${__dirname}/stamp.json`, JSON.stringify({ built: true }));
