'use strict';
// Loaded by `node -r ./preload.js` before server.js: proves the start script's flags reached the image's CMD.
globalThis.preloaded = true;
