"use strict";
// twilio.validateRequest on webhooks the emulator signed, as the Python receiver captured them.
// Input { authToken, requests: [{ url, signature, params, settings }] }: params maps a name to
// its value (or to its values, when repeated); settings is X-Twilio-Webhooks-Signature-Settings.
const { run, twilio } = require("../emulator");

run(async (_client, { authToken, requests }) =>
  requests.map(({ url, signature, params, settings }) => {
    const algorithm = twilio.getSignatureAlgorithm(settings);
    const tampered = { ...params, Tampered: "1" };
    return {
      algorithm,
      valid: twilio.validateRequest(authToken, signature, url, params, algorithm),
      wrongToken: twilio.validateRequest(`${authToken}x`, signature, url, params, algorithm),
      tamperedParams: twilio.validateRequest(authToken, signature, url, tampered, algorithm),
      otherUrl: twilio.validateRequest(authToken, signature, `${url}&x=1`, params, algorithm),
    };
  }),
);
