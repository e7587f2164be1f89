"use strict";
// Verify Services CRUD through client.verify.v2.services: create (nested settings with
// twilio-node's dotted names), fetch, update, page, list, remove, and the 20404 of an unknown
// service (fetch, a verification, a check). Input {}.
const { rejection, run } = require("../emulator");

const UNKNOWN = `VA${"0".repeat(32)}`;

run(async (client) => {
  const services = client.verify.v2.services;
  const created = await services.create({
    friendlyName: "Login",
    codeLength: 8,
    doNotShareWarningEnabled: true,
    customCodeEnabled: true,
    "totp.issuer": "Acme",
    "whatsapp.from": "whatsapp:+15017122661",
  });
  const second = await services.create({ friendlyName: "Second" });
  const fetched = await services(created.sid).fetch();
  const updated = await services(created.sid).update({ friendlyName: "Sign in", codeLength: 4 });
  const page = await services.page({ pageSize: 1 });
  const listed = (await services.list({ pageSize: 1 })).map((s) => s.sid);
  const removed = await services(second.sid).remove();
  const afterRemove = await rejection(services(second.sid).fetch());
  const remaining = (await services.list()).map((s) => s.sid);
  return {
    created,
    fetched,
    updated,
    parsed: {
      codeLength: typeof created.codeLength,
      dateCreated: created.dateCreated instanceof Date,
      dateUpdated: updated.dateUpdated instanceof Date,
    },
    firstPage: { size: page.instances.length, nextPageUrl: page.nextPageUrl || null },
    listed,
    second: second.sid,
    removed,
    afterRemove,
    remaining,
    unknown: {
      fetch: await rejection(services(UNKNOWN).fetch()),
      verification: await rejection(
        services(UNKNOWN).verifications.create({ to: "+15558675310", channel: "sms" }),
      ),
      check: await rejection(
        services(UNKNOWN).verificationChecks.create({ to: "+15558675310", code: "123456" }),
      ),
    },
  };
});
