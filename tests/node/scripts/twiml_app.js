"use strict";
// A small app's side in twilio-node: the owned number's SmsUrl and VoiceUrl set through
// incomingPhoneNumbers, and the TwiML documents its webhooks answer with, built with
// twilio.twiml. Input { phoneNumber, smsUrl, voiceUrl, menuUrl }.
const { run, twilio } = require("../emulator");

run(async (client, { phoneNumber, smsUrl, voiceUrl, menuUrl }) => {
  const [owned] = await client.incomingPhoneNumbers.list({ phoneNumber });
  const number = await client.incomingPhoneNumbers(owned.sid).update({ smsUrl, voiceUrl });

  const messaging = new twilio.twiml.MessagingResponse();
  messaging.message("Thanks for writing, from twilio-node!");

  const voice = new twilio.twiml.VoiceResponse();
  const gather = voice.gather({ numDigits: 1, action: menuUrl, method: "POST" });
  gather.say("Press 1 for sales.");
  voice.say("We did not hear you.");

  const menu = new twilio.twiml.VoiceResponse();
  menu.say({ voice: "alice", language: "en-US" }, "Connecting you to sales.");
  menu.pause({ length: 1 });
  menu.hangup();

  return {
    number,
    messaging: messaging.toString(),
    voice: voice.toString(),
    menu: menu.toString(),
  };
});
