"use strict";
// Verifications ended by update(): canceled, then approved (a flow that checks a custom
// code itself), and what twilio-node gets afterwards. Input { to }.
const { rejection, run } = require("../emulator");

run(async (client, { to }) => {
  const service = await client.verify.v2.services.create({ friendlyName: "Login" });
  const verifications = client.verify.v2.services(service.sid).verifications;
  const checks = client.verify.v2.services(service.sid).verificationChecks;
  const first = await verifications.create({ to, channel: "sms" });
  const canceled = await verifications(first.sid).update({ status: "canceled" });
  const fetchCanceled = await rejection(verifications(first.sid).fetch());
  const checkCanceled = await rejection(checks.create({ verificationSid: first.sid, code: "1234" }));
  const second = await verifications.create({ to, channel: "sms" });
  const badStatus = await rejection(verifications(second.sid).update({ status: "expired" }));
  const approved = await verifications(second.sid).update({ status: "approved" });
  const updateApproved = await rejection(verifications(second.sid).update({ status: "canceled" }));
  const unknown = await rejection(verifications(`VE${"0".repeat(32)}`).fetch());
  return {
    service: service.sid,
    first,
    canceled,
    fetchCanceled,
    checkCanceled,
    second,
    badStatus,
    approved,
    updateApproved,
    unknown,
  };
});
