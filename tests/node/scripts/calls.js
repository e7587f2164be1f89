"use strict";
// Two calls, one with inline TwiML and one with a TwiML URL; settled over HTTP, then fetched
// and listed (one per page). Input { to, from, twiml, url, statusCallback }.
const { run, settle } = require("../emulator");

run(async (client, { to, from, twiml, url, statusCallback }) => {
  const events = ["initiated", "ringing", "answered", "completed"];
  const inline = await client.calls.create({
    to,
    from,
    twiml,
    statusCallback,
    statusCallbackEvent: events,
  });
  const remote = await client.calls.create({ to, from, url, method: "POST" });
  await settle(client);
  const fetched = await Promise.all([inline, remote].map((c) => client.calls(c.sid).fetch()));
  const listed = (await client.calls.list({ pageSize: 1 })).map((c) => c.sid);
  const completed = (await client.calls.list({ status: "completed", to })).map((c) => c.sid);
  return { created: [inline, remote], fetched, listed, completed };
});
