"""One definition per operation, bound to a sync or an async driver.

A resource method is written once as a generator (see ``_base_client.Op``) and
decorated with :class:`operation` (one result) or :class:`paginator` (a lazy
stream of items). Accessed on a resource of a sync client it returns the result
directly; on an async client it returns an awaitable (or an async iterator).
The typing follows the client: ``Messages[Sync]`` vs ``Messages[Async]``.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from ._base_client import ClientCore, PageFlow, Request, Response

if TYPE_CHECKING:
    from .shared_client import BaseClient

__all__ = ["Async", "Resource", "Sync", "collector", "operation", "paginator"]


class Sync:
    """Marker: resources of a :class:`TwilioClient`."""


class Async:
    """Marker: resources of an :class:`AsyncTwilioClient`."""


Mode = TypeVar("Mode")
P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R", bound="Resource[Any]")


class Resource(Generic[Mode]):
    """A group of operations sharing a client."""

    def __init__(self, client: BaseClient[Mode]) -> None:
        self._client = client
        self._core: ClientCore = client._core


def unknown_keyword(fn: Callable[..., Any], kwargs: dict[str, Any], what: str) -> TypeError | None:
    """The error for a keyword ``fn`` does not take (``bdy=`` for ``body=``), naming the
    closest parameter, or ``None`` if every keyword is known (the TypeError was another)."""
    parameters = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return None
    names = [
        n
        for n, p in parameters.items()
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        and n != "self"
    ]
    unknown = [k for k in kwargs if k not in names]
    if not unknown:
        return None
    name = unknown[0]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else f"; it takes {', '.join(names)}"
    if "extra_params" in names:
        hint += " (a wire name Twilio added later goes in extra_params={...})"
    return TypeError(f"{what}() got an unexpected keyword argument {name!r}{hint}")


class _Bindable(Generic[R, P, T]):
    """Shared machinery: remember the function, bind it to a resource, cache the binding."""

    def __init__(self, fn: Callable[Concatenate[R, P], Any]) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.attr = fn.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.attr = name

    def _driver(self, obj: Any) -> Callable[[Any], Any]:
        raise NotImplementedError

    def _bind(self, obj: Any) -> Any:
        fn = self.fn
        drive = self._driver(obj)

        def bound(*args: Any, **kwargs: Any) -> Any:
            try:
                flow = fn(obj, *args, **kwargs)
            except TypeError:
                unknown = unknown_keyword(fn, kwargs, f"{type(obj).__name__}.{self.attr}")
                if unknown is None:
                    raise
                raise unknown from None
            return drive(flow)

        bound.__doc__ = fn.__doc__
        bound.__name__ = fn.__name__
        # Cache on the instance (this is a non-data descriptor, so the instance attribute
        # wins from now on): repeated calls do not rebuild the bound function.
        obj.__dict__[self.attr] = bound
        return bound


class operation(_Bindable[R, P, T]):
    """One result: ``T`` on a sync client, ``Awaitable[T]`` on an async one."""

    def __init__(self, fn: Callable[Concatenate[R, P], Generator[Request, Response, T]]) -> None:
        super().__init__(fn)

    @overload
    def __get__(self, obj: None, owner: Any) -> operation[R, P, T]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: Any) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: Any) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: Any, owner: Any) -> Any:
        return self if obj is None else self._bind(obj)

    def _driver(self, obj: Any) -> Callable[[Any], Any]:
        return obj._client._run  # type: ignore[no-any-return]


class paginator(_Bindable[R, P, T]):
    """A lazy stream of items: ``Iterator[T]`` (sync) or ``AsyncIterator[T]`` (async)."""

    def __init__(self, fn: Callable[Concatenate[R, P], PageFlow[T]]) -> None:
        super().__init__(fn)

    @overload
    def __get__(self, obj: None, owner: Any) -> paginator[R, P, T]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: Any) -> Callable[P, Iterator[T]]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: Any) -> Callable[P, AsyncIterator[T]]: ...
    def __get__(self, obj: Any, owner: Any) -> Any:
        return self if obj is None else self._bind(obj)

    def _driver(self, obj: Any) -> Callable[[Any], Any]:
        return obj._client._iterate  # type: ignore[no-any-return]


class collector(_Bindable[R, P, T]):
    """The same pagination flow as a :class:`paginator`, collected into a list."""

    def __init__(self, fn: Callable[Concatenate[R, P], PageFlow[T]]) -> None:
        super().__init__(fn)

    @overload
    def __get__(self, obj: None, owner: Any) -> collector[R, P, T]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: Any) -> Callable[P, list[T]]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: Any) -> Callable[P, Awaitable[list[T]]]: ...
    def __get__(self, obj: Any, owner: Any) -> Any:
        return self if obj is None else self._bind(obj)

    def _driver(self, obj: Any) -> Callable[[Any], Any]:
        run = obj._client._run
        collect = obj._core.collect
        return lambda flow: run(collect(flow))
