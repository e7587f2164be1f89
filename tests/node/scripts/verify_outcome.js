"use strict";
// For the verify*.js scripts: a request's outcome, its instance or its RestException.
const { describeError, twilio } = require("../emulator");

/** What `promise` resolves to, or the RestException it rejects with, described
 * ({ restException, status, code, message, moreInfo }); any other error is thrown. */
function outcome(promise) {
  return promise.then(
    (value) => value,
    (error) => {
      if (!(error instanceof twilio.RestException)) throw error;
      return describeError(error);
    },
  );
}

module.exports = { outcome };
