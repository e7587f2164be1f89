"use strict";
// A one-way Media Stream started and stopped through calls(sid).streams on a live call (the
// callee answers and waits for keys: an interactive rule set by the test), then the call is
// hung up. Input { to, from, url } (url: the test's WebSocket agent).
const { rejection, run, settle, twilio } = require("../emulator");

run(async (client, { to, from, url }) => {
  const response = new twilio.twiml.VoiceResponse();
  response.gather({ numDigits: 1 }).say("Hold on.");
  const call = await client.calls.create({ to, from, twiml: response.toString() });
  await settle(client); // returns while the call only waits for the caller's keys
  const stream = await client.calls(call.sid).streams.create({
    url,
    name: "node-fork",
    track: "both_tracks",
    "parameter1.name": "sdk",
    "parameter1.value": "twilio-node",
  });
  const stopped = await client.calls(call.sid).streams("node-fork").update({ status: "stopped" });
  const unknown = await rejection(client.calls(call.sid).streams("nope").update({ status: "stopped" }));
  await client.calls(call.sid).update({ status: "completed" });
  await settle(client);
  const ended = await rejection(client.calls(call.sid).streams.create({ url }));
  return { callSid: call.sid, stream, stopped, unknown, ended };
});
