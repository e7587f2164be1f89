"use strict";
// VerificationChecks through client.verify.v2.services(sid).verificationChecks, then
// verifications fetched. Input { serviceSid, checks: [{ to | verificationSid, code }, ...],
// fetch: [sid, ...] }: a check or fetch that fails is its RestException described.
const { run } = require("../emulator");
const { outcome } = require("./verify_outcome");

run(async (client, { serviceSid, checks = [], fetch = [] }) => {
  const service = client.verify.v2.services(serviceSid);
  const checked = [];
  for (const check of checks) {
    checked.push(await outcome(service.verificationChecks.create(check)));
  }
  const fetched = [];
  for (const sid of fetch) {
    fetched.push(await outcome(service.verifications(sid).fetch()));
  }
  return {
    checked,
    fetched,
    parsed: checked.map((c) => c.dateCreated instanceof Date),
  };
});
