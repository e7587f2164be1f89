"use strict";
// An MMS and its media, a body redacted with update, a message deleted, lists filtered by
// To and From. Input { to, from, mediaUrls }.
const { rejection, run, settle } = require("../emulator");

run(async (client, { to, from, mediaUrls }) => {
  const mms = await client.messages.create({ to, from, mediaUrl: mediaUrls });
  const media = await client.messages(mms.sid).media.list();
  const oneMedia = await client.messages(mms.sid).media(media[0].sid).fetch();
  const mediaRemoved = await client.messages(mms.sid).media(media[0].sid).remove();
  const mediaAfter = (await client.messages(mms.sid).media.list()).map((m) => m.sid);

  const sms = await client.messages.create({ to: "+14155550199", from, body: "secret" });
  await settle(client);
  const redacted = await client.messages(sms.sid).update({ body: "" });
  const toFiltered = (await client.messages.list({ to })).map((m) => m.sid);
  const fromFiltered = (await client.messages.list({ from })).map((m) => m.sid);
  const removed = await client.messages(sms.sid).remove();
  const afterRemove = await rejection(client.messages(sms.sid).fetch());
  return {
    mms,
    media,
    oneMedia,
    mediaRemoved,
    mediaAfter,
    sms: sms.sid,
    redacted,
    toFiltered,
    fromFiltered,
    removed,
    afterRemove,
  };
});
