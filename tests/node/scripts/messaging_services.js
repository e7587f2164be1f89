"use strict";
// Messaging Services CRUD and the PhoneNumbers pool through client.messaging.v1.services.
// Input { phoneNumberSids: [first, second] } (numbers the account owns).
const { rejection, run } = require("../emulator");

run(async (client, { phoneNumberSids: [phoneNumberSid, otherNumberSid] }) => {
  const services = client.messaging.v1.services;
  const created = await services.create({
    friendlyName: "Alerts",
    inboundRequestUrl: "https://app.example.com/in",
    inboundMethod: "GET",
    statusCallback: "https://app.example.com/status",
    stickySender: false,
    validityPeriod: 600,
    usecase: "notifications",
  });
  const second = await services.create({ friendlyName: "Second" });
  const fetched = await services(created.sid).fetch();
  const updated = await services(created.sid).update({ friendlyName: "Renamed", stickySender: true });
  const page = await services.page({ pageSize: 1 });
  const listed = (await services.list({ pageSize: 1 })).map((s) => s.sid);

  const pool = services(created.sid).phoneNumbers;
  const added = await pool.create({ phoneNumberSid });
  await pool.create({ phoneNumberSid: otherNumberSid });
  const pooled = await pool(phoneNumberSid).fetch();
  const poolListed = (await pool.list({ pageSize: 1 })).map((n) => n.sid);
  const addedTwice = await rejection(pool.create({ phoneNumberSid }));
  const inOtherService = await rejection(
    services(second.sid).phoneNumbers.create({ phoneNumberSid }),
  );
  const removed = await pool(phoneNumberSid).remove();
  const poolAfter = (await pool.list()).map((n) => n.sid);

  const deleted = await services(created.sid).remove();
  const afterDelete = await rejection(services(created.sid).fetch());
  const remaining = (await services.list()).map((s) => s.sid);
  return {
    created,
    fetched,
    updated,
    firstPage: { size: page.instances.length, nextPageUrl: page.nextPageUrl || null },
    listed,
    second: second.sid,
    added,
    pooled,
    poolListed,
    addedTwice,
    inOtherService,
    removed,
    poolAfter,
    deleted,
    afterDelete,
    remaining,
  };
});
