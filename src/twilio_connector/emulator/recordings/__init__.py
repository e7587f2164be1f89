"""Recordings: what ``<Record>``, ``<Dial record>`` and ``Record=true`` leave behind.

``records`` is the stored shape, ``repository`` its table and SQL, ``state`` creates them
(SID, media URL), ``serialize`` gives the wire shapes (call-level and account-level),
``rest`` serves ``/Recordings`` and ``/Calls/{CA}/Recordings`` plus the audio
(real, when the recording was made with some, else silence).
"""
