"use strict";
// Verify's limits as twilio-node meets them: six sends to one number (the 6th is 429, 60203),
// then six checks with a wrong code (the 5th ends the verification, the 6th is 429, 60202).
// Input { to, wrongCode } (a code that cannot be the one sent, e.g. 4 digits for 6).
const { run } = require("../emulator");
const { outcome } = require("./verify_outcome");

run(async (client, { to, wrongCode }) => {
  const service = await client.verify.v2.services.create({ friendlyName: "Login" });
  const verifications = client.verify.v2.services(service.sid).verifications;
  const checks = client.verify.v2.services(service.sid).verificationChecks;
  const sends = [];
  for (let n = 0; n < 6; n += 1) {
    sends.push(await outcome(verifications.create({ to, channel: n === 2 ? "call" : "sms" })));
  }
  const checked = [];
  for (let n = 0; n < 6; n += 1) {
    checked.push(await outcome(checks.create({ to, code: wrongCode })));
  }
  const after = await verifications(sends[0].sid).fetch();
  return { service: service.sid, sends, checked, after };
});
