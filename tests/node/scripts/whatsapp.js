"use strict";
// A WhatsApp template message from the sandbox sender; settled over HTTP, then fetched.
// Input { to, from, contentSid, contentVariables }.
const { run, settle } = require("../emulator");

run(async (client, { to, from, contentSid, contentVariables }) => {
  const created = await client.messages.create({
    to,
    from,
    contentSid,
    contentVariables: JSON.stringify(contentVariables),
  });
  await settle(client);
  const fetched = await client.messages(created.sid).fetch();
  return { created, fetched };
});
