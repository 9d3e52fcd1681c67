'use strict';
// Another workspace: its code and its dependency (is-odd) must stay out of the api image.
console.log(require('is-odd')(3));
