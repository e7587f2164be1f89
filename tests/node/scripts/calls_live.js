"use strict";
// Live calls changed through calls(sid).update: redirected with TwiML, then hung up; a call
// that has ended cannot be hung up again. The callee answers and waits for keys (an
// interactive rule set by the test). Input { to, from }.
const { rejection, run, settle, twilio } = require("../emulator");

function waiting(prompt) {
  const response = new twilio.twiml.VoiceResponse();
  response.gather({ numDigits: 1 }).say(prompt);
  return response.toString();
}

run(async (client, { to, from }) => {
  const redirected = await client.calls.create({ to, from, twiml: waiting("Hold on.") });
  await settle(client); // returns while the call only waits for the caller's keys
  const live = await client.calls(redirected.sid).fetch();
  const goodbye = new twilio.twiml.VoiceResponse();
  goodbye.say("Redirected by twilio-node.");
  await client.calls(redirected.sid).update({ twiml: goodbye.toString() });
  await settle(client);
  const afterRedirect = await client.calls(redirected.sid).fetch();

  const hungUp = await client.calls.create({ to, from, twiml: waiting("Still there?") });
  await settle(client);
  const ended = await client.calls(hungUp.sid).update({ status: "completed" });
  await settle(client);
  const again = await rejection(client.calls(hungUp.sid).update({ status: "completed" }));
  return { redirected: redirected.sid, live, afterRedirect, hungUp: hungUp.sid, ended, again };
});
