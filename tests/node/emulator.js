"use strict";
/**
 * twilio-node, Twilio's official Node SDK, pointed at the twilio-connector emulator.
 *
 * twilio-node sends each product to its own host (client.messaging to
 * https://messaging.twilio.com); the emulator serves them all from one base URL, the 2010 API
 * at the root and every other domain under its name ({base}/messaging, {base}/verify, ...).
 * Each domain object has a `baseUrl` that twilio-node reads on every request
 * (lib/base/Domain.js absoluteUrl), so setting it is all it takes. Edge and region
 * (TWILIO_EDGE / TWILIO_REGION) rewrite the host of every request (lib/base/BaseTwilio.js
 * getHostname: localhost to localhost.sydney.au1.localhost), so they are cleared.
 *
 *   const { emulatorClient } = require("./emulator");
 *   const client = emulatorClient();  // TWILIO_BASE_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN
 *   await client.messages.create({ to, from, body });
 *   await client.messaging.v1.services.list();
 *
 * A domain the emulator starts to serve is added to DOMAINS (it must match
 * twilio_connector._wire.DOMAINS: tests/node checks that).
 */
const twilio = require("twilio");

const DOMAINS = ["api", "messaging", "verify", "content"];

/** Where the emulator at `baseUrl` serves `domain`: the root for "api", else `{baseUrl}/{domain}`. */
function domainBaseUrl(baseUrl, domain) {
  const root = baseUrl.replace(/\/+$/, "");
  return domain === "api" ? root : `${root}/${domain}`;
}

/** Set every domain's baseUrl of a twilio-node client to the emulator at `baseUrl`. */
function pointAtEmulator(client, baseUrl) {
  for (const domain of DOMAINS) {
    client[domain].baseUrl = domainBaseUrl(baseUrl, domain);
  }
  client.edge = undefined;
  client.region = undefined;
  return client;
}

/**
 * A twilio(username, password, options) client on the emulator, every domain pointed at it.
 * The username and password default to TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (an account
 * SID and its token, or an SK... key SID and its secret, with { accountSid }), baseUrl to
 * TWILIO_BASE_URL; other options go to twilio() (e.g. { accountSid } to act on a subaccount).
 */
function emulatorClient({
  baseUrl = process.env.TWILIO_BASE_URL,
  username = process.env.TWILIO_ACCOUNT_SID,
  password = process.env.TWILIO_AUTH_TOKEN,
  ...options
} = {}) {
  if (!baseUrl) {
    throw new Error("the emulator's base URL is missing: set TWILIO_BASE_URL or pass baseUrl");
  }
  return pointAtEmulator(twilio(username, password, options), baseUrl);
}

/**
 * Wait until the emulator has run every pending lifecycle step and webhook
 * (POST {base}/_emulator/settle, the HTTP form of emu.settle(); main account credentials).
 */
async function settle(client, timeoutSeconds = 10) {
  const response = await client.request({
    method: "post",
    uri: `${client.api.baseUrl}/_emulator/settle`,
    data: { timeout: String(timeoutSeconds) },
  });
  if (response.statusCode !== 200) {
    throw new twilio.RestException(response);
  }
}

/** What a test needs to know of an error: Twilio's code and status for a RestException. */
function describeError(error) {
  return {
    restException: error instanceof twilio.RestException,
    status: error.status,
    code: error.code,
    message: error.message,
    moreInfo: error.moreInfo,
  };
}

/** The error `promise` rejects with, described; fails when it resolves. */
async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return describeError(error);
  }
  throw new Error("expected the request to fail, but it succeeded");
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  return text ? JSON.parse(text) : {};
}

/**
 * A script's entry point: `main(client, input)` with the JSON on stdin, its result printed as
 * JSON on stdout (twilio-node instances through their toJSON(): camelCase, dates as ISO
 * strings); an error goes to stderr with exit code 1.
 */
function run(main) {
  readStdin()
    .then((input) => main(emulatorClient(), input))
    .then(
      (result) => {
        process.stdout.write(`${JSON.stringify(result === undefined ? null : result)}\n`);
      },
      (error) => {
        const detail = error instanceof twilio.RestException ? JSON.stringify(describeError(error)) : "";
        process.stderr.write(`${(error && error.stack) || error}\n${detail}\n`);
        process.exitCode = 1;
      },
    );
}

module.exports = {
  DOMAINS,
  domainBaseUrl,
  pointAtEmulator,
  emulatorClient,
  settle,
  describeError,
  rejection,
  run,
  twilio,
};
