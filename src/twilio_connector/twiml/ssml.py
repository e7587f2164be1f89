"""SSML inside ``<Say>``: ``say.break_(time="1s")``, ``say.emphasis("really", level="strong")``.

Which SSML element may hold which is checked against the voice table when you build, so
``say.w("x").lang("y")`` raises :class:`~twilio_connector.twiml.TwiMLError`.
"""

from __future__ import annotations

from ._core import AttrValue, TwiML

__all__ = [
    "SsmlBreak",
    "SsmlContainer",
    "SsmlEmphasis",
    "SsmlLang",
    "SsmlP",
    "SsmlPhoneme",
    "SsmlProsody",
    "SsmlS",
    "SsmlSayAs",
    "SsmlSub",
    "SsmlW",
]


class SsmlContainer(TwiML):
    """Builders for the SSML children of ``<Say>`` and of SSML elements themselves."""

    __slots__ = ()

    def break_(
        self, *, strength: str | None = None, time: str | None = None, **extra: AttrValue | None
    ) -> SsmlBreak:
        """Append ``<break>``: a pause (``strength`` none..x-strong, or ``time`` like ``"2s"``)."""
        return self.nest(SsmlBreak(strength=strength, time=time, **extra))

    def emphasis(
        self, words: str | None = None, *, level: str | None = None, **extra: AttrValue | None
    ) -> SsmlEmphasis:
        """Append ``<emphasis>`` (``level``: strong, moderate, reduced)."""
        return self.nest(SsmlEmphasis(words, level=level, **extra))

    def lang(
        self, words: str | None = None, *, xml_lang: str | None = None, **extra: AttrValue | None
    ) -> SsmlLang:
        """Append ``<lang xml:lang="...">``: words in another language."""
        return self.nest(SsmlLang(words, xml_lang=xml_lang, **extra))

    def p(self, words: str | None = None, **extra: AttrValue | None) -> SsmlP:
        """Append ``<p>``: a paragraph."""
        return self.nest(SsmlP(words, **extra))

    def phoneme(
        self,
        words: str,
        *,
        alphabet: str | None = None,
        ph: str | None = None,
        **extra: AttrValue | None,
    ) -> SsmlPhoneme:
        """Append ``<phoneme>``: pronounce ``words`` as ``ph`` in ``alphabet`` (ipa, x-sampa)."""
        return self.nest(SsmlPhoneme(words, alphabet=alphabet, ph=ph, **extra))

    def prosody(
        self,
        words: str | None = None,
        *,
        volume: str | None = None,
        rate: str | None = None,
        pitch: str | None = None,
        **extra: AttrValue | None,
    ) -> SsmlProsody:
        """Append ``<prosody>``: change volume, rate or pitch."""
        return self.nest(SsmlProsody(words, volume=volume, rate=rate, pitch=pitch, **extra))

    def s(self, words: str | None = None, **extra: AttrValue | None) -> SsmlS:
        """Append ``<s>``: a sentence."""
        return self.nest(SsmlS(words, **extra))

    def say_as(
        self,
        words: str,
        *,
        interpret_as: str | None = None,
        format: str | None = None,
        **extra: AttrValue | None,
    ) -> SsmlSayAs:
        """Append ``<say-as interpret-as="...">`` (e.g. ``"spell-out"``, ``"date"``)."""
        return self.nest(SsmlSayAs(words, interpret_as=interpret_as, format=format, **extra))

    def sub(self, words: str, *, alias: str | None = None, **extra: AttrValue | None) -> SsmlSub:
        """Append ``<sub alias="...">``: say ``alias`` instead of ``words``."""
        return self.nest(SsmlSub(words, alias=alias, **extra))

    def w(
        self, words: str | None = None, *, role: str | None = None, **extra: AttrValue | None
    ) -> SsmlW:
        """Append ``<w role="...">``: a word with a part of speech."""
        return self.nest(SsmlW(words, role=role, **extra))


class SsmlBreak(TwiML):
    """``<break>``."""

    __slots__ = ()
    tag = "break"

    def __init__(
        self, *, strength: str | None = None, time: str | None = None, **extra: AttrValue | None
    ) -> None:
        self._init(None, locals(), extra)


class SsmlEmphasis(SsmlContainer):
    """``<emphasis>``."""

    __slots__ = ()
    tag = "emphasis"

    def __init__(
        self, words: str | None = None, *, level: str | None = None, **extra: AttrValue | None
    ) -> None:
        self._init(words, locals(), extra)


class SsmlLang(SsmlContainer):
    """``<lang>``."""

    __slots__ = ()
    tag = "lang"

    def __init__(
        self, words: str | None = None, *, xml_lang: str | None = None, **extra: AttrValue | None
    ) -> None:
        self._init(words, locals(), extra)


class SsmlP(SsmlContainer):
    """``<p>``."""

    __slots__ = ()
    tag = "p"

    def __init__(self, words: str | None = None, **extra: AttrValue | None) -> None:
        self._init(words, locals(), extra)


class SsmlPhoneme(TwiML):
    """``<phoneme>``."""

    __slots__ = ()
    tag = "phoneme"

    def __init__(
        self,
        words: str,
        *,
        alphabet: str | None = None,
        ph: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(words, locals(), extra)


class SsmlProsody(SsmlContainer):
    """``<prosody>``."""

    __slots__ = ()
    tag = "prosody"

    def __init__(
        self,
        words: str | None = None,
        *,
        volume: str | None = None,
        rate: str | None = None,
        pitch: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(words, locals(), extra)


class SsmlS(SsmlContainer):
    """``<s>``."""

    __slots__ = ()
    tag = "s"

    def __init__(self, words: str | None = None, **extra: AttrValue | None) -> None:
        self._init(words, locals(), extra)


class SsmlSayAs(TwiML):
    """``<say-as>``."""

    __slots__ = ()
    tag = "say-as"

    def __init__(
        self,
        words: str,
        *,
        interpret_as: str | None = None,
        format: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(words, locals(), extra)


class SsmlSub(TwiML):
    """``<sub>``."""

    __slots__ = ()
    tag = "sub"

    def __init__(self, words: str, *, alias: str | None = None, **extra: AttrValue | None) -> None:
        self._init(words, locals(), extra)


class SsmlW(SsmlContainer):
    """``<w>``."""

    __slots__ = ()
    tag = "w"

    def __init__(
        self, words: str | None = None, *, role: str | None = None, **extra: AttrValue | None
    ) -> None:
        self._init(words, locals(), extra)
