"use strict";
// Verifications started through client.verify.v2.services(sid).verifications, each fetched
// back. Input { friendlyName, starts: [{ to, channel }, ...] }: a new service of that name;
// a start that fails is its RestException described ({ restException, status, code, ... }).
const { run } = require("../emulator");
const { outcome } = require("./verify_outcome");

run(async (client, { friendlyName, starts }) => {
  const service = await client.verify.v2.services.create({ friendlyName });
  const verifications = client.verify.v2.services(service.sid).verifications;
  const started = [];
  for (const { to, channel } of starts) {
    started.push(await outcome(verifications.create({ to, channel })));
  }
  const fetched = [];
  for (const { sid } of started.filter((v) => v.sid)) {
    fetched.push(await verifications(sid).fetch());
  }
  return {
    service: service.sid,
    started,
    fetched,
    parsed: fetched.map((v) => ({
      dateCreated: v.dateCreated instanceof Date,
      dateUpdated: v.dateUpdated instanceof Date,
      sendCodeAttempts: Array.isArray(v.sendCodeAttempts),
    })),
  };
});
