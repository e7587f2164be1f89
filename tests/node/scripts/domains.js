"use strict";
// Where emulatorClient() points every domain, and the twilio-node version in use.
const { DOMAINS, run, twilio } = require("../emulator");
const { version } = require("twilio/package.json");

run(async (client) => ({
  version,
  domains: DOMAINS,
  baseUrls: Object.fromEntries(DOMAINS.map((domain) => [domain, client[domain].baseUrl])),
  restExceptionExported: typeof twilio.RestException === "function",
}));
