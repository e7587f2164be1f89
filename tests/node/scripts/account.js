"use strict";
// The account, its balance and its phone numbers (one per page).
const { run } = require("../emulator");

run(async (client) => {
  const account = await client.api.v2010.accounts(client.accountSid).fetch();
  const balance = await client.balance.fetch();
  const numbers = await client.incomingPhoneNumbers.list({ pageSize: 1 });
  return { account, balance, numbers };
});
