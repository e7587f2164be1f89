"use strict";
// Content templates through client.content.v1: create (a plain object with the wire's keys,
// as Twilio's docs write it), fetch, list, WhatsApp approval create and fetch,
// contentAndApprovals, legacyContents, a WhatsApp send outside the window, remove.
// Input { to, from }.
const { rejection, run, settle } = require("../emulator");

run(async (client, { to, from }) => {
  const contents = client.content.v1.contents;
  const created = await contents.create({
    friendly_name: "order update",
    language: "en",
    variables: { 1: "Ada" },
    types: {
      "twilio/text": { body: "Hi {{1}}, your order is ready." },
      "twilio/quick-reply": {
        body: "Hi {{1}}, was it on time?",
        actions: [{ title: "Yes", id: "yes" }, { title: "No", id: "no" }],
      },
    },
  });
  const fetched = await contents(created.sid).fetch();
  const listed = (await contents.list()).map((c) => c.sid);
  const before = await contents(created.sid).approvalFetch().fetch();
  const approval = await contents(created.sid).approvalCreate.create({
    name: "order_update",
    category: "UTILITY",
  });
  const after = await contents(created.sid).approvalFetch().fetch();
  const withApprovals = await client.content.v1.contentAndApprovals.list();
  const legacy = await client.content.v1.legacyContents.list();
  const sent = await client.messages.create({
    to,
    from,
    contentSid: created.sid,
    contentVariables: JSON.stringify({ 1: "Bo" }),
  });
  await settle(client);
  const delivered = await client.messages(sent.sid).fetch();
  const invalid = await rejection(contents.create({ language: "en", types: {} }));
  const removed = await contents(created.sid).remove();
  const afterRemove = await rejection(contents(created.sid).fetch());
  return {
    created, fetched, listed, before, approval, after, withApprovals, legacy, sent, delivered,
    invalid, removed, afterRemove,
  };
});
