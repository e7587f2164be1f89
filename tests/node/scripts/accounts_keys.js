"use strict";
// Subaccounts and API keys: a subaccount signed in with its own token, the main account
// acting on it with { accountSid }, an SK key with its secret, a suspended subaccount refused.
// Input { to }.
const { emulatorClient, rejection, run } = require("../emulator");

run(async (client, { to }) => {
  const sub = await client.api.v2010.accounts.create({ friendlyName: "tenant" });
  const asSub = emulatorClient({ username: sub.sid, password: sub.authToken });
  const subSelf = await asSub.api.v2010.accounts(sub.sid).fetch();
  const onSub = emulatorClient({ accountSid: sub.sid });
  const subMessage = await onSub.messages.create({ to, from: "+15005550006", body: "tenant" });
  const subListed = (await asSub.messages.list()).map((m) => m.sid);

  const key = await client.newKeys.create({ friendlyName: "ci" });
  const keyed = emulatorClient({
    username: key.sid,
    password: key.secret,
    accountSid: client.accountSid,
  });
  const keyMessage = await keyed.messages.create({ to, from: "+15005550006", body: "via key" });
  const keysListed = (await client.keys.list()).map((k) => k.sid);
  const keyManagingKeys = await rejection(keyed.keys(key.sid).fetch());
  const keyRemoved = await client.keys(key.sid).remove();
  const removedKey = await rejection(keyed.messages.list());

  await client.api.v2010.accounts(sub.sid).update({ status: "suspended" });
  const suspended = await rejection(asSub.messages.list());
  const suspendedListed = (await client.api.v2010.accounts.list({ status: "suspended" })).map(
    (a) => a.sid,
  );
  return {
    sub: { sid: sub.sid, ownerAccountSid: sub.ownerAccountSid, status: sub.status },
    subSelf: { sid: subSelf.sid, friendlyName: subSelf.friendlyName },
    subMessage: { sid: subMessage.sid, accountSid: subMessage.accountSid },
    subListed,
    key: { sid: key.sid, secretLength: key.secret.length },
    keyMessage: { sid: keyMessage.sid, accountSid: keyMessage.accountSid },
    keysListed,
    keyManagingKeys,
    keyRemoved,
    removedKey,
    suspended,
    suspendedListed,
  };
});
