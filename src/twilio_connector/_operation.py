"""One definition per operation, bound to a sync or an async driver.

A resource method is written once as a generator (see ``_base_client.Op``) and
decorated with :class:`operation` (one result) or :class:`paginator` (a lazy
stream of items). Accessed on a resource of a sync client it returns the result
directly; on an async client it returns an awaitable (or an async iterator).
The typing follows the client: ``Messages[Sync]`` vs ``Messages[Async]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from ._base_client import ClientCore, PageFlow, Request, Response

if TYPE_CHECKING:
    from .client import BaseClient

__all__ = ["Async", "Resource", "Sync", "operation", "paginator"]


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


class operation(Generic[R, P, T]):
    def __init__(self, fn: Callable[Concatenate[R, P], Generator[Request, Response, T]]) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.attr = fn.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.attr = name

    @overload
    def __get__(self, obj: None, owner: Any) -> operation[R, P, T]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: Any) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: Any) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: Any, owner: Any) -> Any:
        if obj is None:
            return self
        fn = self.fn
        run = obj._client._run

        def bound(*args: Any, **kwargs: Any) -> Any:
            return run(fn(obj, *args, **kwargs))

        bound.__doc__ = fn.__doc__
        bound.__name__ = fn.__name__
        # Cache on the instance (this is a non-data descriptor, so the instance attribute
        # wins from now on): repeated calls do not rebuild the bound function.
        obj.__dict__[self.attr] = bound
        return bound


class paginator(Generic[R, P, T]):
    def __init__(self, fn: Callable[Concatenate[R, P], PageFlow[T]]) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.attr = fn.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.attr = name

    @overload
    def __get__(self, obj: None, owner: Any) -> paginator[R, P, T]: ...
    @overload
    def __get__(self, obj: Resource[Sync], owner: Any) -> Callable[P, Iterator[T]]: ...
    @overload
    def __get__(self, obj: Resource[Async], owner: Any) -> Callable[P, AsyncIterator[T]]: ...
    def __get__(self, obj: Any, owner: Any) -> Any:
        if obj is None:
            return self
        fn = self.fn
        iterate = obj._client._iterate

        def bound(*args: Any, **kwargs: Any) -> Any:
            return iterate(fn(obj, *args, **kwargs))

        bound.__doc__ = fn.__doc__
        bound.__name__ = fn.__name__
        obj.__dict__[self.attr] = bound
        return bound
